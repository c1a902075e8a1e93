import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaign's recipients and its visitor observations arrive on two topics, so an observation made
 * before a recipient's deletion can be applied after it. A deleted recipient's ECID links are kept,
 * hidden (`owner_deleted`), instead of dropped: a later observation is decided against them as
 * against any link, and one naming the deleted recipient keeps its ECID hidden, so the graph is the
 * same whatever the interleaving. `deleted_recipients` says which recipients are deleted until an
 * upsert re-creates one.
 */
export class DeletedRecipients1765000000500 implements MigrationInterface {
  name = 'DeletedRecipients1765000000500';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE visitor_links ADD COLUMN owner_deleted boolean NOT NULL DEFAULT false`);
    await runner.query(`
      CREATE TABLE deleted_recipients (
        org_id text NOT NULL,
        recipient_id text NOT NULL,
        deleted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, recipient_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE deleted_recipients`);
    await runner.query(`ALTER TABLE visitor_links DROP COLUMN owner_deleted`);
  }
}
