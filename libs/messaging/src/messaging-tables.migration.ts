import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox and inbox tables every service keeps in its own schema (search_path points there).
 * Every service lists it first, through MESSAGING_MIGRATIONS.
 */
export class MessagingTables1764400000000 implements MigrationInterface {
  name = 'MessagingTables1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE outbox_events (
        seq bigserial PRIMARY KEY,
        event_id uuid NOT NULL,
        topic text NOT NULL,
        message_key text NOT NULL,
        message_value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await runner.query(`CREATE INDEX outbox_events_unsent ON outbox_events (seq) WHERE sent_at IS NULL`);
    await runner.query(`CREATE INDEX outbox_events_sent_at ON outbox_events (sent_at) WHERE sent_at IS NOT NULL`);
    await runner.query(`
      CREATE TABLE inbox_events (
        consumer_group text NOT NULL,
        event_id uuid NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, event_id)
      )`);
    await runner.query(`CREATE INDEX inbox_events_applied_at ON inbox_events (applied_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE inbox_events`);
    await runner.query(`DROP TABLE outbox_events`);
  }
}
