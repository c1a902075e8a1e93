import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditTrail, type AuditActor } from '@audience-hub/audit';
import { enqueueEvents } from '@audience-hub/messaging';
import { DomainError } from '@audience-hub/platform';
import { BUILT_IN_VISITOR_ID, type CreateDataSource, type DataSourceModel, type UpdateDataSource } from './data-source.model';
import { dataSourceDeleted, dataSourceUpserted, identityLinked, publishUnlinked } from './data-source-events';
import { DataSourcesRepository, type LinkChange } from './data-sources.repository';
import { AuditActions, canonicalSteps } from '@audience-hub/contracts';

const notFound = (id: string) => new DomainError('not-found', `no data source ${id}`);

/** Data sources of an org: their lifecycle, the catalog events, the audit records of changes, and key values kept in step. */
@Injectable()
export class DataSourcesService {
  constructor(
    private readonly repository: DataSourcesRepository,
    private readonly audit: AuditTrail,
  ) {}

  async createBuiltIn(tx: EntityManager, orgId: string): Promise<void> {
    const created = await this.repository.insert(tx, orgId, {
      id: BUILT_IN_VISITOR_ID,
      name: 'Recipient - Visitor ID',
      idType: 'visitor',
      integrationCode: 'AdobeCampaignVisitorID',
      builtIn: true,
      exportControls: [],
    });
    if (created) await enqueueEvents(tx, [dataSourceUpserted(orgId, created)]);
  }

  async create(tx: EntityManager, actor: AuditActor, input: CreateDataSource): Promise<DataSourceModel> {
    const { orgId } = actor;
    const created = await this.repository.insert(tx, orgId, {
      id: input.id ?? `ds-${randomBytes(4).toString('hex')}`,
      name: input.name,
      idType: 'declared',
      integrationCode: input.integrationCode,
      builtIn: false,
      reconciliationKey: { attribute: input.reconciliationKey.attribute, normalization: canonicalSteps(input.reconciliationKey.normalization) },
      exportControls: input.exportControls,
      xcDataSourceId: input.xcDataSourceId,
      destinationId: input.destinationId,
    });
    if (!created) throw new DomainError('conflict', `data source ${input.id} exists`);
    await this.recompute(tx, orgId, created);
    await enqueueEvents(tx, [dataSourceUpserted(orgId, created)]);
    await this.audit.record(tx, { action: AuditActions.dataSourceCreate, actor, target: { dataSourceId: created.id } });
    return created;
  }

  async update(tx: EntityManager, actor: AuditActor, id: string, input: UpdateDataSource): Promise<DataSourceModel> {
    const { orgId } = actor;
    const current = await this.repository.find(tx, orgId, id, { lock: true });
    if (!current) throw notFound(id);
    if (current.builtIn && (input.reconciliationKey || input.integrationCode)) {
      throw new DomainError('built-in-data-source', 'the built-in visitor data source has no reconciliation key to change');
    }
    const next: DataSourceModel = {
      ...current,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.integrationCode !== undefined ? { integrationCode: input.integrationCode } : {}),
      ...(input.exportControls !== undefined ? { exportControls: input.exportControls } : {}),
      ...(input.reconciliationKey
        ? { reconciliationKey: { attribute: input.reconciliationKey.attribute, normalization: canonicalSteps(input.reconciliationKey.normalization) } }
        : {}),
      xcDataSourceId: input.xcDataSourceId === null ? undefined : (input.xcDataSourceId ?? current.xcDataSourceId),
      destinationId: input.destinationId === null ? undefined : (input.destinationId ?? current.destinationId),
    };
    const updated = await this.repository.update(tx, orgId, next);
    const keyChanged = JSON.stringify(current.reconciliationKey) !== JSON.stringify(updated.reconciliationKey);
    if (keyChanged) await this.recompute(tx, orgId, updated);
    await enqueueEvents(tx, [dataSourceUpserted(orgId, updated)]);
    await this.audit.record(tx, { action: AuditActions.dataSourceUpdate, actor, target: { dataSourceId: id } });
    return updated;
  }

  async delete(tx: EntityManager, actor: AuditActor, id: string): Promise<void> {
    const { orgId } = actor;
    const current = await this.repository.find(tx, orgId, id, { lock: true });
    if (!current) throw notFound(id);
    if (current.builtIn) throw new DomainError('built-in-data-source', 'the built-in visitor data source cannot be deleted');
    const declaredIds = await this.repository.delete(tx, orgId, id);
    await publishUnlinked(
      tx,
      orgId,
      declaredIds.map((xcId) => ({ dataSourceId: id, xcId })),
    );
    await enqueueEvents(tx, [dataSourceDeleted(orgId, id)]);
    await this.audit.record(tx, { action: AuditActions.dataSourceDelete, actor, target: { dataSourceId: id } });
  }

  async get(tx: EntityManager, orgId: string, id: string): Promise<DataSourceModel> {
    const found = await this.repository.find(tx, orgId, id);
    if (!found) throw notFound(id);
    return found;
  }

  /** Recomputes a declared source's key values and publishes every link that went (tombstones first) or appeared. */
  private async recompute(tx: EntityManager, orgId: string, ds: DataSourceModel): Promise<void> {
    await this.repository.recomputeKeyValues(tx, orgId, ds);
    for (const change of ['unlinked', 'linked'] as const) {
      let after: LinkChange | undefined;
      for (;;) {
        const page = await this.repository.recomputedChanges(tx, change, after, 1000);
        if (page.length === 0) break;
        if (change === 'unlinked')
          await publishUnlinked(
            tx,
            orgId,
            page.map((row) => ({ dataSourceId: ds.id, xcId: row.declared_id })),
          );
        else
          await enqueueEvents(
            tx,
            page.map((row) => identityLinked(orgId, { dataSourceId: ds.id, idType: 'declared', xcId: row.declared_id, recipientId: row.recipient_id })),
          );
        after = page[page.length - 1];
      }
    }
  }
}
