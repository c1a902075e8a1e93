import { MigrationInterface, QueryRunner } from 'typeorm';

/** Orgs, data sources, recipients' attributes, declared-ID key values and visitor (ECID) links. */
export class Identities1764400200000 implements MigrationInterface {
  name = 'Identities1764400200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE orgs (
        org_id text PRIMARY KEY,
        name text,
        known_since timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE data_sources (
        org_id text NOT NULL,
        data_source_id text NOT NULL,
        name text NOT NULL,
        id_type text NOT NULL CHECK (id_type IN ('visitor', 'declared')),
        integration_code text NOT NULL,
        built_in boolean NOT NULL DEFAULT false,
        key_attribute text,
        normalization text[] NOT NULL DEFAULT '{}',
        export_controls text[] NOT NULL DEFAULT '{}',
        xc_data_source_id text,
        destination_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, data_source_id),
        CHECK (id_type = 'visitor' OR key_attribute IS NOT NULL)
      )`);
    await runner.query(`
      CREATE TABLE recipients (
        org_id text NOT NULL,
        recipient_id text NOT NULL,
        attributes jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, recipient_id)
      )`);
    // A declared id belongs to one recipient per data source.
    await runner.query(`
      CREATE TABLE declared_ids (
        org_id text NOT NULL,
        data_source_id text NOT NULL,
        declared_id text NOT NULL,
        recipient_id text NOT NULL,
        linked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, data_source_id, declared_id)
      )`);
    await runner.query(`CREATE INDEX declared_ids_by_recipient ON declared_ids (org_id, data_source_id, recipient_id)`);
    await runner.query(`CREATE INDEX declared_ids_by_linked_at ON declared_ids (org_id, data_source_id, linked_at)`);
    // The current owner of each ECID: the most recent observation.
    await runner.query(`
      CREATE TABLE visitor_links (
        org_id text NOT NULL,
        ecid text NOT NULL,
        recipient_id text NOT NULL,
        observed_at timestamptz NOT NULL,
        linked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, ecid)
      )`);
    await runner.query(`CREATE INDEX visitor_links_by_recipient ON visitor_links (org_id, recipient_id, observed_at DESC)`);
    await runner.query(`CREATE INDEX visitor_links_by_linked_at ON visitor_links (org_id, linked_at)`);
    // Every observation, for audit; not used for resolution.
    await runner.query(`
      CREATE TABLE visitor_observations (
        org_id text NOT NULL,
        ecid text NOT NULL,
        recipient_id text NOT NULL,
        observed_at timestamptz NOT NULL,
        channel text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX visitor_observations_by_ecid ON visitor_observations (org_id, ecid, observed_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['visitor_observations', 'visitor_links', 'declared_ids', 'recipients', 'data_sources', 'orgs']) {
      await runner.query(`DROP TABLE ${table}`);
    }
  }
}
