import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Shared audiences and their update runs: the data source catalog (from idrec.data-sources.v1),
 * known orgs, update runs with their resolution progress and unmapped recipients, the exported
 * snapshot per shared audience (what XC holds), removals per version, and inbound files.
 */
export class SharedAudiences1764400200000 implements MigrationInterface {
  name = 'SharedAudiences1764400200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE known_orgs (
        org_id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE data_sources (
        org_id text NOT NULL,
        data_source_id text NOT NULL,
        name text NOT NULL,
        id_type text NOT NULL,
        integration_code text NOT NULL,
        built_in boolean NOT NULL,
        export_controls text[] NOT NULL DEFAULT '{}',
        xc_data_source_id text,
        destination_id text,
        deleted_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, data_source_id)
      )`);
    // Audience Manager segment ids are numeric and global (file lines carry no org).
    await runner.query(`CREATE SEQUENCE segment_ids START 100001`);
    await runner.query(`
      CREATE TABLE shared_audiences (
        org_id text NOT NULL,
        shared_audience_id text NOT NULL,
        segment_id bigint NOT NULL UNIQUE DEFAULT nextval('segment_ids'),
        segment_name text NOT NULL,
        data_source_id text NOT NULL,
        version int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, shared_audience_id),
        UNIQUE (org_id, segment_name)
      )`);
    await runner.query(`CREATE SEQUENCE update_runs`);
    await runner.query(`
      CREATE TABLE shared_audience_updates (
        org_id text NOT NULL,
        update_id text NOT NULL,
        run_no bigint NOT NULL UNIQUE DEFAULT nextval('update_runs'),
        shared_audience_id text NOT NULL,
        list_id text NOT NULL,
        mode text NOT NULL,
        request_id text,
        id_type text,
        state text NOT NULL DEFAULT 'pending',
        version int,
        parts_expected int,
        parts_received int NOT NULL DEFAULT 0,
        exported int NOT NULL DEFAULT 0,
        added int NOT NULL DEFAULT 0,
        removed int NOT NULL DEFAULT 0,
        unmapped int NOT NULL DEFAULT 0,
        decisions jsonb NOT NULL DEFAULT '[]',
        reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        progressed_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (org_id, update_id)
      )`);
    await runner.query(`CREATE UNIQUE INDEX shared_audience_updates_request ON shared_audience_updates (org_id, request_id) WHERE request_id IS NOT NULL`);
    await runner.query(`CREATE INDEX shared_audience_updates_active ON shared_audience_updates (run_no) WHERE state IN ('pending', 'running')`);
    await runner.query(`CREATE INDEX shared_audience_updates_audience ON shared_audience_updates (org_id, shared_audience_id, run_no)`);
    // Resolution request events sent, so a rejection notice (by event id) finds its update.
    await runner.query(`
      CREATE TABLE resolution_requests (
        event_id uuid PRIMARY KEY,
        org_id text NOT NULL,
        update_id text NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE resolved_parts (
        org_id text NOT NULL,
        update_id text NOT NULL,
        part int NOT NULL,
        PRIMARY KEY (org_id, update_id, part)
      )`);
    await runner.query(`
      CREATE TABLE update_unmapped (
        org_id text NOT NULL,
        update_id text NOT NULL,
        recipient_id text NOT NULL,
        PRIMARY KEY (org_id, update_id, recipient_id)
      )`);
    // What XC holds for each shared audience, and the version that added each id.
    await runner.query(`
      CREATE TABLE exported_members (
        org_id text NOT NULL,
        shared_audience_id text NOT NULL,
        xc_id text NOT NULL,
        recipient_id text NOT NULL,
        version_added int NOT NULL,
        PRIMARY KEY (org_id, shared_audience_id, xc_id)
      )`);
    await runner.query(`
      CREATE TABLE removed_members (
        org_id text NOT NULL,
        shared_audience_id text NOT NULL,
        version int NOT NULL,
        xc_id text NOT NULL,
        PRIMARY KEY (org_id, shared_audience_id, version, xc_id)
      )`);
    await runner.query(`
      CREATE TABLE export_files (
        name text PRIMARY KEY,
        org_id text NOT NULL,
        update_id text NOT NULL,
        shared_audience_id text NOT NULL,
        version int NOT NULL,
        dpid text NOT NULL,
        epoch bigint NOT NULL,
        split int NOT NULL,
        first_line bigint NOT NULL,
        line_count bigint NOT NULL,
        written_at timestamptz
      )`);
    await runner.query(`CREATE INDEX export_files_unwritten ON export_files (org_id, shared_audience_id) WHERE written_at IS NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'export_files',
      'removed_members',
      'exported_members',
      'update_unmapped',
      'resolved_parts',
      'resolution_requests',
      'shared_audience_updates',
      'shared_audiences',
      'data_sources',
      'known_orgs',
    ]) {
      await runner.query(`DROP TABLE ${table}`);
    }
    await runner.query(`DROP SEQUENCE update_runs`);
    await runner.query(`DROP SEQUENCE segment_ids`);
  }
}
