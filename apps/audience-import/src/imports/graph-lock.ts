import type { EntityManager } from 'typeorm';
import { query } from '@audience-hub/persistence';

/**
 * Snapshots and late links of one org serialize on one transaction-scoped advisory lock, so that
 * neither misses the other: a run applied (reading the replica, writing the list) holds it shared,
 * a batch of link changes (writing the replica, moving the list's members) holds it exclusively.
 * Whichever commits second reads what the first committed: a link that arrives while a snapshot
 * is applied is applied to its list right after, never lost between the two. Taken before any
 * import's row lock, in every transaction that takes both, so the two never deadlock.
 */
export async function lockGraphShared(tx: EntityManager, orgId: string): Promise<void> {
  await query(tx, `SELECT pg_advisory_xact_lock_shared(hashtext($1))`, [graphLockName(orgId)]);
}

/** The exclusive lock of every org in `orgIds`, in the order of their lock keys. */
export async function lockGraphsExclusive(tx: EntityManager, orgIds: readonly string[]): Promise<void> {
  await query(tx, `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtext(n) AS k FROM unnest($1::text[]) AS n) keys ORDER BY k`, [orgIds.map(graphLockName)]);
}

const graphLockName = (orgId: string): string => `audience-import.graph:${orgId}`;
