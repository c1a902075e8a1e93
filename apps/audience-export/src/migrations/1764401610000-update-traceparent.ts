import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An update keeps the traceparent of the request that asked for it (HTTP or event), so the
 * runner's steps, later and on any instance, continue that trace. Null with tracing off.
 */
export class UpdateTraceparent1764401610000 implements MigrationInterface {
  name = 'UpdateTraceparent1764401610000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE shared_audience_updates ADD COLUMN traceparent text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE shared_audience_updates DROP COLUMN traceparent`);
  }
}
