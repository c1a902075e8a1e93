import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Updates resolve their recipients with a join against the replica of the identity graph
 * (identity_links, migration IdentityReplica1764401000000) in their final step, instead of asking
 * id-reconciliation: no requests, parts, answers or per-run staging tables any more.
 *
 * `identity_link_clocks` counts, per org and data source, the replica transactions that changed a
 * link's recipient; a shared audience remembers the count its last `mirror` update resolved
 * against (`mirrored_links_seq`), and compares the whole list again when it moved on. While it has
 * not, a leaver's exported ids are its ids in the replica: exported ids need no recipient any more.
 */
export class ResolutionByReplica1764401100000 implements MigrationInterface {
  name = 'ResolutionByReplica1764401100000';

  async up(runner: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE identity_link_clocks (
        org_id text NOT NULL,
        data_source_id text NOT NULL,
        seq bigint NOT NULL,
        PRIMARY KEY (org_id, data_source_id)
      )`,
      `ALTER TABLE shared_audiences ADD COLUMN mirrored_links_seq bigint`,
      // A run in flight resolves again from scratch in its final step: what its answers recorded goes.
      `DELETE FROM update_unmapped u USING shared_audience_updates s
        WHERE s.org_id = u.org_id AND s.update_id = u.update_id AND s.state = 'running'`,
      `DO $$
       DECLARE t record;
       BEGIN
         FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename ~ '^resolved_run_[0-9]+$' LOOP
           EXECUTE format('DROP TABLE %I', t.tablename);
         END LOOP;
       END $$`,
      `DROP TABLE resolution_requests`,
      `DROP TABLE resolved_parts`,
      `ALTER TABLE shared_audience_updates DROP COLUMN parts_expected, DROP COLUMN parts_received, DROP COLUMN progressed_at, DROP COLUMN list_seq`,
      `ALTER TABLE exported_members DROP COLUMN recipient_id`,
    ];
    for (const statement of statements) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    const statements = [
      // The exported ids' recipients are not known any more: every audience's next update compares
      // the whole list (resolving every member again).
      `ALTER TABLE exported_members ADD COLUMN recipient_id text NOT NULL DEFAULT ''`,
      `ALTER TABLE exported_members ALTER COLUMN recipient_id DROP DEFAULT`,
      `UPDATE shared_audiences SET resolved_list_id = NULL, resolved_list_seq = NULL, resolved_update_id = NULL, mirrored_list_id = NULL, mirrored_list_seq = NULL`,
      `ALTER TABLE shared_audience_updates ADD COLUMN parts_expected int, ADD COLUMN parts_received int NOT NULL DEFAULT 0,
         ADD COLUMN progressed_at timestamptz, ADD COLUMN list_seq bigint`,
      `CREATE TABLE resolved_parts (org_id text NOT NULL, update_id text NOT NULL, part int NOT NULL, PRIMARY KEY (org_id, update_id, part))`,
      `CREATE TABLE resolution_requests (event_id uuid PRIMARY KEY, org_id text NOT NULL, update_id text NOT NULL)`,
      `ALTER TABLE shared_audiences DROP COLUMN mirrored_links_seq`,
      `DROP TABLE identity_link_clocks`,
    ];
    for (const statement of statements) await runner.query(statement);
  }
}
