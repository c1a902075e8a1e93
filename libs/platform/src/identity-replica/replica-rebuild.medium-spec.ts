import { applyPastPosition, ChangelogPositions1765000000800, MESSAGING_MIGRATIONS } from '@audience-hub/messaging';
import { openMediumSchema, type MediumSchema } from '@audience-hub/testing';
import { IdentityReplica1764401000000 } from './identity-replica.migration';
import { ReplicaPositionsTruncated1765000000810 } from './replica-positions-truncate.migration';

/**
 * An operator rebuilds a replica by emptying it and reading the changelog from the start
 * (docs/operations.md, Replay). Its positions empty with it, or the rebuild would skip every
 * record up to them and leave the replica empty. (audience-import and audience-export list these
 * migrations.)
 */
describe('emptying the identity replica (medium)', () => {
  let db: MediumSchema;
  beforeEach(async () => {
    db = await openMediumSchema({
      schema: 'replica_rebuild',
      migrations: [...MESSAGING_MIGRATIONS, IdentityReplica1764401000000, ChangelogPositions1765000000800, ReplicaPositionsTruncated1765000000810],
    });
  });
  afterEach(() => db?.close());

  it('empties the positions its consumer applied it to, so the changelog read again is applied again', async () => {
    const position = { topic: 'idrec.identity-links.v1', partition: 0 };
    const records = [{ offset: '0' }, { offset: '1' }];
    const apply = () => db.transaction((tx) => applyPastPosition(tx, position, records, async () => undefined));
    expect(await apply()).toBe(2);
    expect(await apply()).toBe(0);

    await db.dataSource.query(`TRUNCATE identity_links`);
    expect(await db.dataSource.query(`SELECT * FROM changelog_positions`)).toEqual([]);
    expect(await apply()).toBe(2);
  });
});
