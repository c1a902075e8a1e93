import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { chunksOf, type AnyHubEvent } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import type { IdentityChangesListener } from '@audience-hub/platform';
import { lockGraphsForChanges } from '../imports/graph-lock';
import { membersChanged } from '../imports/import-events';
import { ImportsRepository } from '../imports/imports.repository';
import { PendingRepository } from './pending.repository';

/**
 * Late reconciliation, set-based per batch of the replica: links made, moved or broken after a
 * snapshot was applied move the imported lists' members (a recipient joins, moves or leaves), the
 * import's counts follow, and Campaign gets the list's changes. Runs in the replica's transaction,
 * under the org's exclusive graph lock, so a snapshot being applied is waited for, never raced.
 */
@Injectable()
export class LateLinksListener implements IdentityChangesListener {
  constructor(
    private readonly pending: PendingRepository,
    private readonly imports: ImportsRepository,
  ) {}

  async onIdentityChanges(tx: EntityManager): Promise<void> {
    const orgs = await this.pending.changedOrgs(tx);
    if (orgs.length === 0) return;
    await lockGraphsForChanges(tx, orgs);
    for (const change of await this.pending.moveMembers(tx)) {
      const job = await this.imports.lock(tx, change.importId);
      if (!job) continue;
      await this.imports.recordLateChanges(tx, job.importId, change);
      await enqueueEvents(tx, listChanges(job.orgId, job, change.added, change.removed));
    }
  }
}

/** members-changed parts of at most MAX_CHUNK_IDS recipients, added then removed; none when nothing changed. */
function listChanges(orgId: string, job: { importId: string; listId: string }, added: string[], removed: string[]): AnyHubEvent[] {
  const chunks = [...chunksOf(added).map((ids) => ({ added: ids, removed: [] })), ...chunksOf(removed).map((ids) => ({ added: [], removed: ids }))];
  return chunks.map((chunk, part) => membersChanged(orgId, job, part, part === chunks.length - 1, chunk.added, chunk.removed));
}
