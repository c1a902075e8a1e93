import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files taken from pickup locations (S3, SFTP, a directory), one row per version of a file: name,
 * size and ETag or mtime, so a file is taken exactly once across restarts and instances (the row
 * is locked while it is imported) and a file rewritten under the same name is a new one. The
 * report is kept so a move that failed after the import can be done again without importing.
 */
export class PickedUpFiles1764401800000 implements MigrationInterface {
  name = 'PickedUpFiles1764401800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE picked_up_files (
      org_id text NOT NULL,
      location text NOT NULL,
      name text NOT NULL,
      size bigint NOT NULL,
      version text NOT NULL,
      state text NOT NULL DEFAULT 'claimed' CHECK (state IN ('claimed', 'applied', 'refused')),
      report jsonb,
      seen_at timestamptz NOT NULL DEFAULT now(),
      done_at timestamptz,
      PRIMARY KEY (org_id, location, name, size, version)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE picked_up_files`);
  }
}
