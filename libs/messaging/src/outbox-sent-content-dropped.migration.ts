import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sent outbox rows no longer keep their content where the service holds data subjects'
 * identifiers (OutboxRelay's deleteSent, which deleted them since): the rows earlier versions kept for the retention,
 * content included, go now, so a privacy request never has to search them. They were kept for
 * audit only; what they held is on Kafka.
 */
export class OutboxSentContentDropped1765000000100 implements MigrationInterface {
  name = 'OutboxSentContentDropped1765000000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM outbox_events WHERE sent_at IS NOT NULL`);
  }

  async down(): Promise<void> {
    /* nothing to restore */
  }
}
