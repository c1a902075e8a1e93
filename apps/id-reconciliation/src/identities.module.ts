import { Module } from '@nestjs/common';
import {
  KNOWN_ORGS_OPTIONS,
  KnownOrgsRepository,
  KnownOrgsService,
  OrgEventsConsumer,
  PRIVACY_PARTICIPANT,
  PrivacyRequestsConsumer,
  type KnownOrgsOptions,
} from '@audience-hub/platform';
import { DataSourcesController } from './data-sources/data-sources.controller';
import { DataSourcesRepository } from './data-sources/data-sources.repository';
import { DataSourcesService } from './data-sources/data-sources.service';
import { CreateDataSourceUseCase } from './data-sources/usecases/create-data-source.usecase';
import { GetDataSourceStatsUseCase } from './data-sources/usecases/get-data-source-stats.usecase';
import { GetDataSourceUseCase } from './data-sources/usecases/get-data-source.usecase';
import { ListDataSourcesUseCase } from './data-sources/usecases/list-data-sources.usecase';
import { GetRecipientIdentitiesUseCase } from './recipients/usecases/get-recipient-identities.usecase';
import { DeleteDataSourceUseCase } from './data-sources/usecases/delete-data-source.usecase';
import { UpdateDataSourceUseCase } from './data-sources/usecases/update-data-source.usecase';
import { DeclaredIdsRepository } from './recipients/declared-ids.repository';
import { RecipientEventsConsumer } from './recipients/recipient-events.consumer';
import { RecipientsController } from './recipients/recipients.controller';
import { RecipientsRepository } from './recipients/recipients.repository';
import { ApplyRecipientUpsertsUseCase } from './recipients/usecases/apply-recipient-upserts.usecase';
import { PrivacyController } from './privacy/privacy.controller';
import { PrivacyReceiptsConsumer } from './privacy/privacy-receipts.consumer';
import { PrivacyRepository } from './privacy/privacy.repository';
import { ActOnPrivacyRequestUseCase } from './privacy/usecases/act-on-privacy-request.usecase';
import { CreatePrivacyRequestUseCase } from './privacy/usecases/create-privacy-request.usecase';
import { GetPrivacyRequestUseCase } from './privacy/usecases/get-privacy-request.usecase';
import { RecordPrivacyReceiptUseCase } from './privacy/usecases/record-privacy-receipt.usecase';
import { ResolutionRepository } from './resolution/resolution.repository';
import { ResolveController } from './resolution/resolve.controller';
import { ResolveUseCase } from './resolution/usecases/resolve.usecase';
import { VisitorEventsConsumer } from './visitors/visitor-events.consumer';
import { VisitorLinksRepository } from './visitors/visitor-links.repository';
import { DeletedRecipientsRepository } from './recipients/deleted-recipients.repository';

/**
 * id-reconciliation's capabilities; they share repositories, so one module holds them. Its known
 * orgs (table `orgs`) are wired here because knowing an org gives it the built-in visitor data source.
 */
@Module({
  controllers: [
    OrgEventsConsumer,
    DataSourcesController,
    RecipientEventsConsumer,
    RecipientsController,
    VisitorEventsConsumer,
    ResolveController,
    PrivacyController,
    PrivacyRequestsConsumer,
    PrivacyReceiptsConsumer,
  ],
  providers: [
    {
      provide: KNOWN_ORGS_OPTIONS,
      inject: [DataSourcesService],
      useFactory: (dataSources: DataSourcesService): KnownOrgsOptions => ({ table: 'orgs', onFirstSeen: (tx, orgId) => dataSources.createBuiltIn(tx, orgId) }),
    },
    KnownOrgsRepository,
    KnownOrgsService,
    DataSourcesRepository,
    DataSourcesService,
    CreateDataSourceUseCase,
    UpdateDataSourceUseCase,
    DeleteDataSourceUseCase,
    ListDataSourcesUseCase,
    GetDataSourceUseCase,
    GetDataSourceStatsUseCase,
    RecipientsRepository,
    DeclaredIdsRepository,
    DeletedRecipientsRepository,
    ApplyRecipientUpsertsUseCase,
    GetRecipientIdentitiesUseCase,
    VisitorLinksRepository,
    ResolutionRepository,
    ResolveUseCase,
    PrivacyRepository,
    CreatePrivacyRequestUseCase,
    GetPrivacyRequestUseCase,
    ActOnPrivacyRequestUseCase,
    { provide: PRIVACY_PARTICIPANT, useExisting: ActOnPrivacyRequestUseCase },
    RecordPrivacyReceiptUseCase,
  ],
})
export class IdentitiesModule {}
