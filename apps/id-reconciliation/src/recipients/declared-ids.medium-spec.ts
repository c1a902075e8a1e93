import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { openMediumSchema, waitFor } from '@audience-hub/testing';
import { idReconciliationService } from '../service';
import { DeclaredIdsRepository } from './declared-ids.repository';

/**
 * A batch of upserts locks the declared ids it touches with one statement of thousands of lookups,
 * while other batches write the same table. Each lookup must read only its own key's entries,
 * whatever the table looked like when the statement was planned: planned on a nearly empty table,
 * a lookup by declared id was once made on the index led by the org (one level, where the primary
 * key had two), and as other batches filled the table each of the 5,000 lookups read every id of
 * the org (a billion index entries, 9 minutes, in `ingest`). Postgres is not asked to run the
 * statement here, only to plan it, in the states the table is in at onboarding.
 */
describe('locking the declared ids a batch touches (medium)', () => {
  const orgId = '9686AA3AA3A5DE8ECC04C325@AdobeOrg';
  const batch = 5_000;
  const recipients = Array.from({ length: batch }, (_, i) => `rcp-${i}`);
  const ids = recipients.map((_, i) => ({ dataSourceId: 'ds-1', declaredId: sha256(`user.${i}@example.com`) }));

  const states: Array<[string, number, 'committed' | 'pending', number?]> = [
    ['an empty table', 0, 'committed'],
    ['a new table with 100 rows of another batch not committed yet', 100, 'pending'],
    ['a new table with 300 rows of another batch not committed yet', 300, 'pending'],
    ['a new table with 60 rows of long recipient ids not committed yet', 60, 'pending', 2000],
    ['a table of 20,000 rows', 20_000, 'committed'],
  ];
  it.each(states)('plans every lookup as a lookup of its own key on %s', async (_, rows, state, recipientIdLength = 20) => {
    const db = await openMediumSchema(idReconciliationService);
    const writer = db.dataSource.createQueryRunner();
    try {
      await writer.connect();
      if (state === 'pending') await writer.startTransaction();
      await writer.query(
        `INSERT INTO declared_ids (org_id, data_source_id, declared_id, recipient_id)
         SELECT $1, 'ds-1', encode(sha256(convert_to('other.' || i || '@example.com', 'UTF8')), 'hex'), rpad('rcp-other-' || i, $3::int, '-')
         FROM generate_series(1, $2::int) i`,
        [orgId, rows, recipientIdLength],
      );
      const plan = await db.transaction((tx) => planOfLockingRead(tx, (explaining) => new DeclaredIdsRepository().lockHeld(explaining, orgId, ['ds-1'], recipients, ids)));
      const scans = scansOf(plan, 'declared_ids');
      expect(scans.length).toBeGreaterThan(0);
      expect(scans.filter((scan) => !isOwnKeyLookup(scan))).toEqual([]);
    } finally {
      if (state === 'pending') await writer.rollbackTransaction();
      await writer.release();
      await db.close();
    }
  });
});

describe('adding declared ids (medium)', () => {
  const orgId = '9686AA3AA3A5DE8ECC04C325@AdobeOrg';

  it('gives an id added by two batches at once to the one that commits last, and adds the rest of its ids', async () => {
    const db = await openMediumSchema(idReconciliationService);
    const first = db.dataSource.createQueryRunner();
    try {
      await first.connect();
      await first.startTransaction();
      const [{ pid }] = (await first.query(`SELECT pg_backend_pid() AS pid`)) as Array<{ pid: number }>;
      await new DeclaredIdsRepository().addRows(first.manager, orgId, [{ dataSourceId: 'ds-1', declaredId: 'shared', recipientId: 'rcp-1' }]);
      // The second batch read no row of the id either: its plain insert waits for the first batch.
      const second = db.transaction((tx) =>
        new DeclaredIdsRepository().addRows(tx, orgId, [
          { dataSourceId: 'ds-1', declaredId: 'other', recipientId: 'rcp-2' },
          { dataSourceId: 'ds-1', declaredId: 'shared', recipientId: 'rcp-2' },
        ]),
      );
      await waitFor('the second batch waiting for the first', async () => {
        const [{ waiting }] = await db.dataSource.query(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid)) AND query LIKE 'INSERT INTO declared_ids%'`,
          [pid],
        );
        return waiting === 1;
      });
      await first.commitTransaction();
      await second;
      expect(await db.dataSource.query(`SELECT declared_id, recipient_id FROM declared_ids WHERE org_id = $1 ORDER BY declared_id`, [orgId])).toEqual([
        { declared_id: 'other', recipient_id: 'rcp-2' },
        { declared_id: 'shared', recipient_id: 'rcp-2' },
      ]);
    } finally {
      await first.release();
      await db.close();
    }
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

/** Runs `work` on a manager that answers the statement taking row locks with its plan instead of running it. */
async function planOfLockingRead(tx: EntityManager, work: (explaining: EntityManager) => Promise<unknown>): Promise<PlanNode> {
  const runner = tx.queryRunner!;
  let plan: PlanNode | undefined;
  const explaining = {
    query: async (sql: string, params: unknown[]) => {
      if (!sql.includes('FOR UPDATE')) return runner.query(sql, params, true);
      const result = await runner.query(`EXPLAIN (FORMAT JSON) ${sql}`, params, true);
      plan = (result.records as Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>)[0]['QUERY PLAN'][0].Plan;
      return { records: [], affected: 0 };
    },
  };
  await work({ queryRunner: explaining } as unknown as EntityManager);
  if (!plan) throw new Error('the locking read was not run');
  return plan;
}

/** The plan's scans of a table (a bitmap scan as its index scans, which carry the conditions). */
function scansOf(node: PlanNode, table: string): PlanNode[] {
  const children = (node.Plans ?? []).flatMap((child) => scansOf(child, table));
  if (node['Relation Name'] !== table) return children;
  return node['Node Type'] === 'Bitmap Heap Scan' ? (node.Plans ?? []).flatMap(bitmapIndexScans) : [node, ...children];
}

function bitmapIndexScans(node: PlanNode): PlanNode[] {
  return node['Node Type'] === 'Bitmap Index Scan' ? [node] : (node.Plans ?? []).flatMap(bitmapIndexScans);
}

/** An index scan whose conditions name the one key it looks for: a declared id, or a recipient. */
function isOwnKeyLookup(scan: PlanNode): boolean {
  return /Index/.test(scan['Node Type']) && /\((declared_id|recipient_id) = /.test(scan['Index Cond'] ?? '');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
