import { MigrationInterface, QueryRunner } from 'typeorm';

/** audience-export's own copy of Campaign lists, fed by campaign.lists.v1. */
export class CampaignLists1764400100000 implements MigrationInterface {
  name = 'CampaignLists1764400100000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE campaign_lists (
        org_id text NOT NULL,
        list_id text NOT NULL,
        label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        PRIMARY KEY (org_id, list_id)
      )`);
    await runner.query(`
      CREATE TABLE campaign_list_members (
        org_id text NOT NULL,
        list_id text NOT NULL,
        recipient_id text NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, list_id, recipient_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE campaign_list_members`);
    await runner.query(`DROP TABLE campaign_lists`);
  }
}
