import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An outbox row that carries a person's identifiers a privacy request erased is deleted as soon as
 * it is sent, instead of being kept as sent for the relay's retention (see eraseFromOutbox).
 */
export class OutboxEraseOnceSent1764401900000 implements MigrationInterface {
  name = 'OutboxEraseOnceSent1764401900000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE outbox_events ADD COLUMN erase_once_sent boolean NOT NULL DEFAULT false`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE outbox_events DROP COLUMN erase_once_sent`);
  }
}
