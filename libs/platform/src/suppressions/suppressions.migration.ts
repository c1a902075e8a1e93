import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The suppression list of privacy requests (#15), kept by every service that takes in or sends out
 * identifiers: sha256 hashes of `<namespace>:<value>` only (identifierHash of libs/contracts).
 */
export class Suppressions1764401900200 implements MigrationInterface {
  name = 'Suppressions1764401900200';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE suppressed_ids (org_id text NOT NULL, hash text NOT NULL, suppressed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (org_id, hash))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE suppressed_ids`);
  }
}
