import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Wrong client secrets per client id and calling address, shared by every IMS instance (the
 * token endpoint's brute-force brake). A row exists only while a pair has recent failures.
 */
export class TokenFailures1764401620000 implements MigrationInterface {
  name = 'TokenFailures1764401620000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE token_failures (
        client_id text NOT NULL,
        address text NOT NULL,
        failures integer NOT NULL,
        last_failure_at timestamptz NOT NULL,
        locked_until timestamptz,
        PRIMARY KEY (client_id, address)
      )`);
    // The sweep of forgotten rows.
    await runner.query(`CREATE INDEX token_failures_last_failure ON token_failures (last_failure_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE token_failures`);
  }
}
