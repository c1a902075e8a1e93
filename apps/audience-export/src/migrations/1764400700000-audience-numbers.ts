import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The exported ids of a shared audience are keyed by a small number of the audience instead of
 * (org id, shared audience id): an entry of a million-id audience's primary key shrinks from about
 * 130 bytes to 50, and its rows from about 160 to 90, so a first export writes and later updates
 * scan half the bytes (the table of a large audience then fits in shared buffers).
 */
export class AudienceNumbers1764400700000 implements MigrationInterface {
  name = 'AudienceNumbers1764400700000';

  async up(runner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE shared_audiences ADD COLUMN audience_no integer GENERATED ALWAYS AS IDENTITY`,
      `ALTER TABLE shared_audiences ADD CONSTRAINT shared_audiences_audience_no UNIQUE (audience_no)`,
      `ALTER TABLE exported_members RENAME TO exported_members_by_name`,
      `CREATE TABLE exported_members (
        audience_no integer NOT NULL,
        xc_id text NOT NULL,
        recipient_id text NOT NULL,
        version_added integer NOT NULL,
        PRIMARY KEY (audience_no, xc_id)
      )`,
      `INSERT INTO exported_members (audience_no, xc_id, recipient_id, version_added)
       SELECT a.audience_no, m.xc_id, m.recipient_id, m.version_added FROM exported_members_by_name m JOIN shared_audiences a USING (org_id, shared_audience_id)`,
      `DROP TABLE exported_members_by_name`,
      `ALTER INDEX exported_members_pkey1 RENAME TO exported_members_pkey`,
      `ALTER TABLE removed_members RENAME TO removed_members_by_name`,
      `CREATE TABLE removed_members (
        audience_no integer NOT NULL,
        version integer NOT NULL,
        xc_id text NOT NULL,
        PRIMARY KEY (audience_no, version, xc_id)
      )`,
      `INSERT INTO removed_members (audience_no, version, xc_id)
       SELECT a.audience_no, m.version, m.xc_id FROM removed_members_by_name m JOIN shared_audiences a USING (org_id, shared_audience_id)`,
      `DROP TABLE removed_members_by_name`,
      `ALTER INDEX removed_members_pkey1 RENAME TO removed_members_pkey`,
    ];
    for (const statement of statements) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE exported_members RENAME TO exported_members_by_no`,
      `CREATE TABLE exported_members (
        org_id text NOT NULL,
        shared_audience_id text NOT NULL,
        xc_id text NOT NULL,
        recipient_id text NOT NULL,
        version_added int NOT NULL,
        PRIMARY KEY (org_id, shared_audience_id, xc_id)
      )`,
      `INSERT INTO exported_members SELECT a.org_id, a.shared_audience_id, m.xc_id, m.recipient_id, m.version_added
         FROM exported_members_by_no m JOIN shared_audiences a USING (audience_no)`,
      `DROP TABLE exported_members_by_no`,
      `ALTER INDEX exported_members_pkey1 RENAME TO exported_members_pkey`,
      `ALTER TABLE removed_members RENAME TO removed_members_by_no`,
      `CREATE TABLE removed_members (
        org_id text NOT NULL,
        shared_audience_id text NOT NULL,
        version int NOT NULL,
        xc_id text NOT NULL,
        PRIMARY KEY (org_id, shared_audience_id, version, xc_id)
      )`,
      `INSERT INTO removed_members SELECT a.org_id, a.shared_audience_id, m.version, m.xc_id FROM removed_members_by_no m JOIN shared_audiences a USING (audience_no)`,
      `DROP TABLE removed_members_by_no`,
      `ALTER INDEX removed_members_pkey1 RENAME TO removed_members_pkey`,
      `ALTER TABLE shared_audiences DROP COLUMN audience_no`,
    ];
    for (const statement of statements) await runner.query(statement);
  }
}
