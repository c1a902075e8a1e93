import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Members are kept per run (a bigint) instead of per import (text): the import's list is the
 * members of its `members_run`. A full snapshot into a `full` import stages its matched ids there
 * directly as idrec answers them, so applying it is a diff of two runs and a pointer switch instead
 * of rewriting a million rows; the run replaced is purged in the background. Deltas and late
 * matches change the current run's members in place.
 */
export class MembersByRun1764400310000 implements MigrationInterface {
  name = 'MembersByRun1764400310000';

  async up(runner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE imports ADD COLUMN members_run bigint`,
      `UPDATE imports i SET members_run = (SELECT max(r.run_id) FROM runs r WHERE r.import_id = i.import_id AND r.state = 'applied')`,
      `CREATE INDEX imports_members_run ON imports (members_run) WHERE members_run IS NOT NULL`,
      `ALTER TABLE import_members RENAME TO import_members_by_import`,
      `CREATE TABLE import_members (
        run_id bigint NOT NULL,
        xc_id text NOT NULL,
        recipient_id text NOT NULL,
        PRIMARY KEY (run_id, xc_id)
      )`,
      `INSERT INTO import_members (run_id, xc_id, recipient_id)
       SELECT i.members_run, m.xc_id, m.recipient_id FROM import_members_by_import m JOIN imports i USING (import_id) WHERE i.members_run IS NOT NULL`,
      `DROP TABLE import_members_by_import`,
      `ALTER INDEX import_members_pkey1 RENAME TO import_members_pkey`,
      `CREATE INDEX import_members_recipient ON import_members (run_id, recipient_id)`,
    ];
    for (const statement of statements) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE import_members RENAME TO import_members_by_run`,
      `DROP INDEX import_members_recipient`,
      `CREATE TABLE import_members (
        import_id text NOT NULL,
        xc_id text NOT NULL,
        recipient_id text NOT NULL,
        PRIMARY KEY (import_id, xc_id)
      )`,
      `INSERT INTO import_members (import_id, xc_id, recipient_id)
       SELECT i.import_id, m.xc_id, m.recipient_id FROM import_members_by_run m JOIN imports i ON i.members_run = m.run_id`,
      `DROP TABLE import_members_by_run`,
      `ALTER INDEX import_members_pkey1 RENAME TO import_members_pkey`,
      `CREATE INDEX import_members_recipient ON import_members (import_id, recipient_id)`,
      `ALTER TABLE imports DROP COLUMN members_run`,
    ];
    for (const statement of statements) await runner.query(statement);
  }
}
