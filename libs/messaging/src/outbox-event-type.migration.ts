import { MigrationInterface, QueryRunner } from 'typeorm';
import { MessagingTables1764400000000 } from './messaging-tables.migration';
import { OutboxTombstones1764400900000 } from './outbox-tombstones.migration';
import { OutboxTraceparent1764401600000 } from './outbox-traceparent.migration';
import { OutboxEraseOnceSent1764401900000 } from './outbox-erase-once-sent.migration';
import { OutboxSentContentDropped1765000000100 } from './outbox-sent-content-dropped.migration';
import { OutboxBundles1765000000700 } from './outbox-bundles.migration';

/**
 * The outbox keeps each event's type, which the relay sends as the `ce_type` header: consumers
 * pass by the types they do not handle without parsing them. Each service lists this migration.
 */
export class OutboxEventType1764400800000 implements MigrationInterface {
  name = 'OutboxEventType1764400800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE outbox_events ADD COLUMN event_type text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE outbox_events DROP COLUMN event_type`);
  }
}

/** The messaging tables' migrations, which every service (and any schema using the outbox) lists first. */
export const MESSAGING_MIGRATIONS = [
  MessagingTables1764400000000,
  OutboxEventType1764400800000,
  OutboxTombstones1764400900000,
  OutboxTraceparent1764401600000,
  OutboxEraseOnceSent1764401900000,
  OutboxSentContentDropped1765000000100,
  OutboxBundles1765000000700,
];
