import { Module } from '@nestjs/common';
import { DataSourcesController } from './data-sources/data-sources.controller';
import { DataSourcesRepository } from './data-sources/data-sources.repository';
import { DataSourcesService } from './data-sources/data-sources.service';
import { OrgEventsConsumer } from './orgs/org-events.consumer';
import { OrgsRepository } from './orgs/orgs.repository';
import { OrgsService } from './orgs/orgs.service';
import { DeclaredIdsRepository } from './recipients/declared-ids.repository';
import { RecipientEventsConsumer } from './recipients/recipient-events.consumer';
import { RecipientsController } from './recipients/recipients.controller';
import { RecipientsRepository } from './recipients/recipients.repository';
import { ApplyRecipientUpsertUseCase } from './recipients/usecases/apply-recipient-upsert.usecase';
import { ResolutionConsumer } from './resolution/resolution.consumer';
import { ResolutionRepository } from './resolution/resolution.repository';
import { ResolveController } from './resolution/resolve.controller';
import { ResolveUseCase } from './resolution/resolve.usecase';
import { VisitorEventsConsumer } from './visitors/visitor-events.consumer';
import { VisitorLinksRepository } from './visitors/visitor-links.repository';

/** id-reconciliation's capabilities; they share repositories, so one module holds them. */
@Module({
  controllers: [
    OrgEventsConsumer,
    DataSourcesController,
    RecipientEventsConsumer,
    RecipientsController,
    VisitorEventsConsumer,
    ResolutionConsumer,
    ResolveController,
  ],
  providers: [
    OrgsRepository,
    OrgsService,
    DataSourcesRepository,
    DataSourcesService,
    RecipientsRepository,
    DeclaredIdsRepository,
    ApplyRecipientUpsertUseCase,
    VisitorLinksRepository,
    ResolutionRepository,
    ResolveUseCase,
  ],
})
export class IdentitiesModule {}
