import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recipients updated by one batch share their transaction's `updated_at`: `update_rank` orders
 * them as their upserts came (the rank of each one's last upsert in the batch), so that a data
 * source created or re-keyed later gives a key value held by several recipients to the one
 * updated last, as it does for recipients updated one event at a time.
 */
export class RecipientUpdateRank1764401450000 implements MigrationInterface {
  name = 'RecipientUpdateRank1764401450000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE recipients ADD COLUMN update_rank integer NOT NULL DEFAULT 0`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE recipients DROP COLUMN update_rank`);
  }
}
