import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets an update's cost follow the change of its list instead of the list's size. Each applied
 * members-added / members-removed event takes the list's next `change_seq`: members carry the seq
 * that added them, removals are logged with theirs. A shared audience remembers up to which seq of
 * which list it resolved (and, for `mirror`, removed), so its next update reads only what came
 * after. `history_from` is the seq from which the list's history is known (deleting a list
 * forgets its members unlogged); a remembered seq older than that, or of another list, falls back
 * to comparing whole sets.
 */
export class ListChangeLog1764400600000 implements MigrationInterface {
  name = 'ListChangeLog1764400600000';

  async up(runner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE campaign_lists ADD COLUMN change_seq bigint NOT NULL DEFAULT 0, ADD COLUMN history_from bigint NOT NULL DEFAULT 0`,
      `ALTER TABLE campaign_list_members ADD COLUMN seq bigint NOT NULL DEFAULT 0`,
      `CREATE INDEX campaign_list_members_seq ON campaign_list_members (org_id, list_id, seq)`,
      `CREATE TABLE campaign_list_removals (
        org_id text NOT NULL,
        list_id text NOT NULL,
        seq bigint NOT NULL,
        recipient_id text NOT NULL
      )`,
      `CREATE INDEX campaign_list_removals_seq ON campaign_list_removals (org_id, list_id, seq)`,
      `ALTER TABLE shared_audiences
         ADD COLUMN resolved_list_id text, ADD COLUMN resolved_list_seq bigint, ADD COLUMN resolved_update_id text,
         ADD COLUMN mirrored_list_id text, ADD COLUMN mirrored_list_seq bigint`,
      `ALTER TABLE shared_audience_updates ADD COLUMN list_seq bigint`,
    ];
    for (const statement of statements) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE shared_audience_updates DROP COLUMN list_seq`,
      `ALTER TABLE shared_audiences DROP COLUMN resolved_list_id, DROP COLUMN resolved_list_seq, DROP COLUMN resolved_update_id,
         DROP COLUMN mirrored_list_id, DROP COLUMN mirrored_list_seq`,
      `DROP TABLE campaign_list_removals`,
      `DROP INDEX campaign_list_members_seq`,
      `ALTER TABLE campaign_list_members DROP COLUMN seq`,
      `ALTER TABLE campaign_lists DROP COLUMN change_seq, DROP COLUMN history_from`,
    ];
    for (const statement of statements) await runner.query(statement);
  }
}
