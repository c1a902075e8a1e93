import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound files are delivered to a location per data source (S3, SFTP or a directory): each file
 * records where it goes, and its failed attempts with the last error and when it is tried again.
 * Files planned before have no location: they go to EXPORT_FILE_SINK_DIR as before.
 */
export class FileDeliveries1764401810000 implements MigrationInterface {
  name = 'FileDeliveries1764401810000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE export_files
      ADD COLUMN location text,
      ADD COLUMN attempts int NOT NULL DEFAULT 0,
      ADD COLUMN last_error text,
      ADD COLUMN retry_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE export_files DROP COLUMN location, DROP COLUMN attempts, DROP COLUMN last_error, DROP COLUMN retry_at`);
  }
}
