import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An outbox row without a value is a tombstone: the relay sends a null value under its key, which
 * a compacted topic reads as "this key has no state any more" (the identity changelog's unlinks).
 */
export class OutboxTombstones1764400900000 implements MigrationInterface {
  name = 'OutboxTombstones1764400900000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE outbox_events ALTER COLUMN message_value DROP NOT NULL, ALTER COLUMN event_id DROP NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM outbox_events WHERE message_value IS NULL`);
    await runner.query(`ALTER TABLE outbox_events ALTER COLUMN message_value SET NOT NULL, ALTER COLUMN event_id SET NOT NULL`);
  }
}
