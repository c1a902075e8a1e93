import type { EntityManager } from 'typeorm';
import { IdentityReplicaRepository, type IdentityLinkRecord } from '@audience-hub/platform';
import { openMediumSchema, waitFor, type MediumSchema } from '@audience-hub/testing';
import { audienceImportService } from '../service';

/**
 * The replica's writes race what else writes it: another member applying the same partition's
 * batch for a moment during a rebalance, and a privacy erasure deleting an id's link. Whoever
 * commits first, the replica ends with the batch's links and the batch reports each change.
 */
describe('applying a batch of links while others write the replica (medium)', () => {
  const orgId = '7A1B2C3D4E5F60718293A4B5@AdobeOrg';
  const replica = new IdentityReplicaRepository();
  const link = (xcId: string, recipientId: string | null): IdentityLinkRecord => ({
    orgId,
    dataSourceId: 'visitor',
    xcId,
    recipientId,
    observedAt: recipientId ? '2026-12-07T10:00:00.000Z' : undefined,
  });
  const ecid = (n: number) => String(n).padStart(38, '1');
  let db: MediumSchema;

  beforeEach(async () => {
    db = await openMediumSchema(audienceImportService);
  });
  afterEach(() => db?.close());

  const replicaRows = async () =>
    db.dataSource.query(`SELECT xc_id, recipient_id FROM identity_links WHERE org_id = $1 ORDER BY xc_id`, [orgId]) as Promise<Array<{ xc_id: string; recipient_id: string }>>;
  const changesOf = async (tx: EntityManager) =>
    tx.query(`SELECT xc_id, old_recipient_id, new_recipient_id FROM identity_link_changes ORDER BY xc_id`) as Promise<
      Array<{ xc_id: string; old_recipient_id: string | null; new_recipient_id: string | null }>
    >;

  /** Runs `first` in a transaction left open, then `second` until it waits for it; commits `first` and returns what `second` saw. */
  async function whileHeldOpen<T>(first: (tx: EntityManager) => Promise<void>, second: (tx: EntityManager) => Promise<T>): Promise<T> {
    const runner = db.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      const [{ pid }] = (await runner.query(`SELECT pg_backend_pid() AS pid`)) as Array<{ pid: number }>;
      await first(runner.manager);
      const done = db.transaction(second);
      await waitFor('the second transaction waiting for the first', async () => {
        const [{ waiting }] = await db.dataSource.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))`, [pid]);
        return waiting === 1;
      });
      await runner.commitTransaction();
      return await done;
    } finally {
      await runner.release();
    }
  }

  it('writes a link that two members add at once as the one that commits last has it, and reports it as a move', async () => {
    const changes = await whileHeldOpen(
      (tx) => replica.apply(tx, [link(ecid(1), 'rcp-1')]),
      async (tx) => {
        // This member read no link for either id: its plain insert waits for the first member, fails, and is done again the careful way.
        await replica.apply(tx, [link(ecid(1), 'rcp-2'), link(ecid(2), 'rcp-3')]);
        return changesOf(tx);
      },
    );
    expect(changes).toEqual([
      { xc_id: ecid(1), old_recipient_id: 'rcp-1', new_recipient_id: 'rcp-2' },
      { xc_id: ecid(2), old_recipient_id: null, new_recipient_id: 'rcp-3' },
    ]);
    expect(await replicaRows()).toEqual([
      { xc_id: ecid(1), recipient_id: 'rcp-2' },
      { xc_id: ecid(2), recipient_id: 'rcp-3' },
    ]);
  });

  it('writes a moved link again when a privacy erasure deleted it while the batch waited to update it', async () => {
    await db.transaction((tx) => replica.apply(tx, [link(ecid(1), 'rcp-1'), link(ecid(2), 'rcp-2')]));
    const changes = await whileHeldOpen(
      async (tx) => {
        await tx.query(`DELETE FROM identity_links WHERE org_id = $1 AND xc_id = $2`, [orgId, ecid(1)]);
      },
      async (tx) => {
        // Read as held (the erasure has not committed), so it is updated, which waits for the erasure and then finds no row.
        await replica.apply(tx, [link(ecid(1), 'rcp-9'), link(ecid(2), 'rcp-2')]);
        return changesOf(tx);
      },
    );
    expect(changes).toEqual([{ xc_id: ecid(1), old_recipient_id: 'rcp-1', new_recipient_id: 'rcp-9' }]);
    expect(await replicaRows()).toEqual([
      { xc_id: ecid(1), recipient_id: 'rcp-9' },
      { xc_id: ecid(2), recipient_id: 'rcp-2' },
    ]);
  });

  it('writes nothing for a batch delivered again, and removes a link for its tombstone', async () => {
    const batch = [link(ecid(1), 'rcp-1'), link(ecid(2), 'rcp-2')];
    await db.transaction((tx) => replica.apply(tx, batch));
    const versions = async () => db.dataSource.query(`SELECT xc_id, xmin::text FROM identity_links ORDER BY xc_id`);
    const before = await versions();
    expect(await db.transaction(async (tx) => (await replica.apply(tx, batch), changesOf(tx)))).toEqual([]);
    expect(await versions()).toEqual(before);
    expect(await db.transaction(async (tx) => (await replica.apply(tx, [link(ecid(1), null)]), changesOf(tx)))).toEqual([
      { xc_id: ecid(1), old_recipient_id: 'rcp-1', new_recipient_id: null },
    ]);
    expect(await replicaRows()).toEqual([{ xc_id: ecid(2), recipient_id: 'rcp-2' }]);
  });
});
