import type { DataSource } from 'typeorm';
import { AuditRepository, AuditTrail } from '@audience-hub/audit';
import { KnownOrgsRepository, KnownOrgsService, type KnownOrgsOptions } from '@audience-hub/platform';
import { DataSourcesRepository } from '../data-sources/data-sources.repository';
import { DataSourcesService } from '../data-sources/data-sources.service';
import { DeclaredIdsRepository } from '../recipients/declared-ids.repository';
import { DeletedRecipientsRepository } from '../recipients/deleted-recipients.repository';
import { RecipientEventsConsumer } from '../recipients/recipient-events.consumer';
import { RecipientsRepository } from '../recipients/recipients.repository';
import { ApplyRecipientUpsertsUseCase } from '../recipients/usecases/apply-recipient-upserts.usecase';
import { idReconciliationService } from '../service';
import { VisitorEventsConsumer } from '../visitors/visitor-events.consumer';
import { VisitorLinksRepository } from '../visitors/visitor-links.repository';

/**
 * id-reconciliation's ingestion consumers and what they need, wired by hand for the medium specs
 * (`*.medium-spec.ts`) on a medium schema's data source: known orgs (each new one gets its built-in
 * data sources), data sources, and the recipient and visitor consumers.
 */
export function ingestionConsumers(ds: DataSource) {
  const audit = new AuditTrail(ds, new AuditRepository(), idReconciliationService);
  const dataSourcesRepository = new DataSourcesRepository();
  const dataSources = new DataSourcesService(dataSourcesRepository, audit);
  const options: KnownOrgsOptions = { table: 'orgs', onFirstSeen: (tx, orgId) => dataSources.createBuiltIn(tx, orgId) };
  const orgs = new KnownOrgsService(ds, new KnownOrgsRepository(options), options);
  const recipientsRepository = new RecipientsRepository();
  const declaredIds = new DeclaredIdsRepository();
  const visitorLinks = new VisitorLinksRepository();
  const deletedRecipients = new DeletedRecipientsRepository();
  return {
    audit,
    dataSourcesRepository,
    orgs,
    dataSources,
    recipients: new RecipientEventsConsumer(
      orgs,
      new ApplyRecipientUpsertsUseCase(recipientsRepository, dataSourcesRepository, declaredIds, deletedRecipients, visitorLinks),
      recipientsRepository,
      declaredIds,
      visitorLinks,
      deletedRecipients,
    ),
    visitors: new VisitorEventsConsumer(orgs, visitorLinks, deletedRecipients),
  };
}
