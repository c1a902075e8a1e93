import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox keeps the traceparent of the span that wrote each row, so the relay's send, which
 * happens later and in another context, continues that trace. Null with tracing off.
 */
export class OutboxTraceparent1764401600000 implements MigrationInterface {
  name = 'OutboxTraceparent1764401600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE outbox_events ADD COLUMN traceparent text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE outbox_events DROP COLUMN traceparent`);
  }
}
