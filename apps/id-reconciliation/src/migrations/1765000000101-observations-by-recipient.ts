import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Observations by recipient: a privacy request follows a recipient to every ECID ever observed with
 * it, and erases that history. Without it, both read the whole history table (a million
 * observations: a quarter of a second each, per request).
 */
export class ObservationsByRecipient1765000000101 implements MigrationInterface {
  name = 'ObservationsByRecipient1765000000101';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX visitor_observations_by_recipient ON visitor_observations (org_id, recipient_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX visitor_observations_by_recipient`);
  }
}
