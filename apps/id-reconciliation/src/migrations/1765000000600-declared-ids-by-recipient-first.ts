import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Declared ids by recipient lead with the recipient, not the org. With both indexes led by the org,
 * a lookup by declared id could be planned on this one, reading every id of the org and data
 * source for each key. The planner made that choice for a batch that started on a nearly empty
 * table (a 1-level index looked cheaper than the primary key's 2 levels, and without statistics
 * both lookups were estimated at one row); the table then grew by other batches' rows while the
 * statement ran, and its 5,000 lookups read a billion index entries (`ingest`, 9 minutes). Led by
 * the recipient, this index cannot serve a lookup that names no recipient.
 */
export class DeclaredIdsByRecipientFirst1765000000600 implements MigrationInterface {
  name = 'DeclaredIdsByRecipientFirst1765000000600';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX declared_ids_by_recipient`);
    await runner.query(`CREATE INDEX declared_ids_by_recipient ON declared_ids (recipient_id, org_id, data_source_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX declared_ids_by_recipient`);
    await runner.query(`CREATE INDEX declared_ids_by_recipient ON declared_ids (org_id, recipient_id, data_source_id)`);
  }
}
