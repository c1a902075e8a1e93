import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed attempts at an update's next step (start or final step), kept with the update so any
 * instance, restarted or not, continues the same count and honours the same backoff.
 */
export class UpdateStepAttempts1764400500000 implements MigrationInterface {
  name = 'UpdateStepAttempts1764400500000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE shared_audience_updates ADD COLUMN step_attempts int NOT NULL DEFAULT 0, ADD COLUMN step_retry_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE shared_audience_updates DROP COLUMN step_attempts, DROP COLUMN step_retry_at`);
  }
}
