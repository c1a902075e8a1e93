import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each shared audience keeps how many ids XC holds for it, maintained by the run that changes it,
 * so ending a run never counts the whole snapshot.
 */
export class AudienceMemberCounts1764400300000 implements MigrationInterface {
  name = 'AudienceMemberCounts1764400300000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE shared_audiences ADD COLUMN member_count bigint NOT NULL DEFAULT 0`);
    await runner.query(`
      UPDATE shared_audiences a SET member_count = c.n
        FROM (SELECT org_id, shared_audience_id, count(*) AS n FROM exported_members GROUP BY org_id, shared_audience_id) c
       WHERE c.org_id = a.org_id AND c.shared_audience_id = a.shared_audience_id`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE shared_audiences DROP COLUMN member_count`);
  }
}
