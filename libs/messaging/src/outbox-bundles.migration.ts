import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An outbox row may hold a bundle of small events (outbox-bundle.ts): `records` counts them, null
 * for a row of one event. A batch's changelog of 5,000 records then costs Postgres about 20 rows
 * of up to 100 KiB instead of 5,000 rows, their index entries, and the relay's reads and deletes
 * of each. The values are compressed with lz4 where the server has it: pglz, the default, cost
 * three times as much CPU per bundle (and per large event, a list's member chunk).
 */
export class OutboxBundles1765000000700 implements MigrationInterface {
  name = 'OutboxBundles1765000000700';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE outbox_events ADD COLUMN records integer CHECK (records > 1)`);
    await runner.query(`
      DO $$ BEGIN
        ALTER TABLE outbox_events ALTER COLUMN message_value SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        RAISE NOTICE 'this Postgres has no lz4: outbox values keep the default compression';
      END $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    // A bundle not sent yet would be lost: the relay must have drained them first.
    const [{ bundles }] = (await runner.query(`SELECT count(*)::int AS bundles FROM outbox_events WHERE records IS NOT NULL AND sent_at IS NULL`)) as Array<{ bundles: number }>;
    if (bundles > 0) throw new Error(`${bundles} outbox bundles are not sent yet: run the service until its outbox is empty, then migrate down`);
    await runner.query(`DELETE FROM outbox_events WHERE records IS NOT NULL`);
    await runner.query(`ALTER TABLE outbox_events ALTER COLUMN message_value SET COMPRESSION default`);
    await runner.query(`ALTER TABLE outbox_events DROP COLUMN records`);
  }
}
