import type { DataSource } from 'typeorm';

/** Rows changed since the last ANALYZE above which (and above 20% of the rows) a table's statistics count as stale. */
const STALE_ROWS = 10_000;

/**
 * Refreshes the planner's statistics of the tables an update looks recipients up in (the lists'
 * members, the identity replica) when many rows changed since they were taken, as after a big list
 * stored or a replica built moments ago, before autovacuum came by: a statement that looks a few
 * recipients up is planned as probes only when the planner knows the table is big; believing it
 * tiny, it may scan the whole list once per recipient. Outside a transaction, so the lock ANALYZE
 * takes is not held on.
 */
export async function freshenStatistics(db: DataSource, tables: readonly string[] = ['campaign_list_members', 'identity_links']): Promise<void> {
  const stale = await db.query(
    `SELECT c.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
      WHERE s.relid = ANY($1::regclass[]) AND s.n_mod_since_analyze > greatest($2, c.reltuples * 0.2)`,
    [tables, STALE_ROWS],
  );
  for (const { relname } of stale) await db.query(`ANALYZE ${relname}`);
}
