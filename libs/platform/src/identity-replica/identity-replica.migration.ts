import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The replica of id-reconciliation's identity graph that a service keeps in its own schema, from
 * the compacted idrec.identity-links.v1: the current recipient of each (data source, XC id).
 * Resolution is a join against it, both ways (XC id -> recipient, recipient -> XC ids).
 */
export class IdentityReplica1764401000000 implements MigrationInterface {
  name = 'IdentityReplica1764401000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE identity_links (
        org_id text NOT NULL,
        data_source_id text NOT NULL,
        xc_id text NOT NULL,
        recipient_id text NOT NULL,
        observed_at timestamptz,
        PRIMARY KEY (org_id, data_source_id, xc_id)
      )`);
    // Recipient first: an index that also began with (org_id, data_source_id) would tempt the planner,
    // before the table has statistics, to probe it for an XC id and filter a whole org's links.
    await runner.query(`CREATE INDEX identity_links_by_recipient ON identity_links (recipient_id, org_id, data_source_id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE identity_links`);
  }
}
