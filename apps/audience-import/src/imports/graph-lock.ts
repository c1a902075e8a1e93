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

/**
 * The exclusive lock of every org in `orgIds`, in the order of their lock keys, for a batch that
 * changes their links: each org's graph version (graph_versions) counts the batch, in the same
 * transaction, so whoever read the replica outside the lock can tell whether it changed since.
 */
export async function lockGraphsForChanges(tx: EntityManager, orgIds: readonly string[]): Promise<void> {
  await query(tx, `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtext(n) AS k FROM unnest($1::text[]) AS n) keys ORDER BY k`, [orgIds.map(graphLockName)]);
  await query(tx, `INSERT INTO graph_versions (org_id, version) SELECT DISTINCT unnest($1::text[]), 1 ON CONFLICT (org_id) DO UPDATE SET version = graph_versions.version + 1`, [
    orgIds,
  ]);
}

/**
 * The org's graph version in SQL (0 before its first change); `$n` is the org's parameter. Read in
 * the statement that reads the replica, it is the version of what that statement read.
 */
export const graphVersionSql = (orgParam: string): string => `coalesce((SELECT version FROM graph_versions WHERE org_id = ${orgParam}), 0)::text`;

const graphLockName = (orgId: string): string => `audience-import.graph:${orgId}`;
