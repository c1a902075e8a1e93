import type { EntityManager } from 'typeorm';
import type { AnyHubEvent } from '@audience-hub/contracts';
import { EventInBatchFailedError } from '@audience-hub/messaging';
import type { KnownOrgsService } from '@audience-hub/platform';
import { query } from '@audience-hub/persistence';

/**
 * Applies a consumer batch org by org (orgs share nothing, so only the order within an org
 * matters). An unknown org rejects its first event; a failure of the org's `apply` naming an event
 * by its position among the org's events is named by its position in the whole batch.
 */
export async function applyPerOrg<E extends AnyHubEvent>(
  tx: EntityManager,
  orgs: KnownOrgsService,
  events: readonly E[],
  apply: (orgId: string, events: E[]) => Promise<void>,
): Promise<void> {
  // A batch's statements are thousands of index lookups: compiling them (JIT) costs more than it saves.
  await query(tx, `SET LOCAL jit = off`);
  const byOrg = new Map<string, number[]>();
  for (const [index, event] of events.entries()) {
    const indices = byOrg.get(event.orgid);
    if (indices) indices.push(index);
    else byOrg.set(event.orgid, [index]);
  }
  for (const [orgId, indices] of byOrg) {
    try {
      await orgs.requireKnown(tx, orgId);
    } catch (error) {
      throw new EventInBatchFailedError(indices[0], error);
    }
    try {
      await apply(
        orgId,
        indices.map((index) => events[index]),
      );
    } catch (error) {
      if (error instanceof EventInBatchFailedError) throw new EventInBatchFailedError(indices[error.index], error.cause);
      throw error;
    }
  }
}
