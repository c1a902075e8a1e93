import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes that batches of thousands of lookups cannot be misplanned on, statistics or not:
 * - the indexes on `linked_at` go: the data source stats count over all of an org's rows anyway,
 *   every link written paid for them, and the planner took them for lookups by recipient and read
 *   a whole data source's ids per batch;
 * - declared ids by recipient lead with the recipient (then the data source), so that a lookup by
 *   declared id has only the primary key to use, and a recipient's ids in every source are one
 *   range (deleting a recipient).
 */
export class IngestionIndexes1764401300000 implements MigrationInterface {
  name = 'IngestionIndexes1764401300000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX declared_ids_by_linked_at`);
    await runner.query(`DROP INDEX visitor_links_by_linked_at`);
    await runner.query(`DROP INDEX declared_ids_by_recipient`);
    await runner.query(`CREATE INDEX declared_ids_by_recipient ON declared_ids (org_id, recipient_id, data_source_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX declared_ids_by_recipient`);
    await runner.query(`CREATE INDEX declared_ids_by_recipient ON declared_ids (org_id, data_source_id, recipient_id)`);
    await runner.query(`CREATE INDEX declared_ids_by_linked_at ON declared_ids (org_id, data_source_id, linked_at)`);
    await runner.query(`CREATE INDEX visitor_links_by_linked_at ON visitor_links (org_id, linked_at)`);
  }
}
