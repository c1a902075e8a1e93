import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { createEvent, EventTypes } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { recordExportRun } from '@audience-hub/observability';
import { afterCommit } from '@audience-hub/persistence';
import type { GovernanceDecision } from '../governance/export-governance';
import { EXPORT_SOURCE } from '../shared-audiences/shared-audiences.service';
import type { UpdateCounts, UpdateRow } from './update';
import { UpdatesRepository } from './updates.repository';

const NO_COUNTS: UpdateCounts = { exported: 0, added: 0, removed: 0, unmapped: 0 };

/** Ends an update run: its final state and `campaign.shared-audience.update-completed` commit together. */
@Injectable()
export class UpdateOutcomeService {
  constructor(private readonly updates: UpdatesRepository) {}

  async complete(tx: EntityManager, update: UpdateRow, version: number, counts: UpdateCounts): Promise<void> {
    await this.end(tx, update, { state: 'completed', version, counts });
  }

  async fail(tx: EntityManager, update: UpdateRow, version: number, reason: string): Promise<void> {
    await this.end(tx, update, { state: 'failed', version, counts: NO_COUNTS, reason });
  }

  /** Denied: nothing exported, nothing written but the decision. */
  async deny(tx: EntityManager, update: UpdateRow, version: number, decisions: GovernanceDecision[], reason: string): Promise<void> {
    await this.end(tx, update, { state: 'denied', version, counts: NO_COUNTS, reason, decisions });
  }

  private async end(
    tx: EntityManager,
    update: UpdateRow,
    outcome: { state: 'completed' | 'failed' | 'denied'; version: number; counts: UpdateCounts; reason?: string; decisions?: GovernanceDecision[] },
  ): Promise<void> {
    await this.updates.finish(tx, update, outcome);
    afterCommit(tx, () => recordExportRun(outcome.state, { seconds: (Date.now() - Date.parse(update.createdAt)) / 1000, unmapped: outcome.counts.unmapped }));
    await enqueueEvents(tx, [
      createEvent({
        type: EventTypes.campaignSharedAudienceUpdateCompleted,
        source: EXPORT_SOURCE,
        orgId: update.orgId,
        aggregateId: update.sharedAudienceId,
        data: {
          ...(update.requestId ? { requestId: update.requestId } : {}),
          sharedAudienceId: update.sharedAudienceId,
          updateId: update.id,
          version: outcome.version,
          state: outcome.state,
          ...outcome.counts,
          ...(outcome.reason ? { reason: outcome.reason } : {}),
        },
      }),
    ]);
    // The next queued update of this shared audience may start now.
    await this.updates.notifyRunner(tx);
  }
}
