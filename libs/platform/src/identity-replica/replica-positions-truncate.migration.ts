import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Emptying the identity replica (an operator's rebuild, docs/operations.md) empties the positions
 * its consumer applied it to (changelog_positions, ChangelogPositions1765000000800): otherwise the
 * rebuild would skip every record up to them and leave the replica empty.
 */
export class ReplicaPositionsTruncated1765000000810 implements MigrationInterface {
  name = 'ReplicaPositionsTruncated1765000000810';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of [
      `CREATE FUNCTION changelog_positions_after_truncate() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
       BEGIN
         DELETE FROM changelog_positions;
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER identity_links_truncated_positions AFTER TRUNCATE ON identity_links FOR EACH STATEMENT EXECUTE FUNCTION changelog_positions_after_truncate()`,
    ]) {
      await runner.query(statement);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER identity_links_truncated_positions ON identity_links`);
    await runner.query(`DROP FUNCTION changelog_positions_after_truncate()`);
  }
}
