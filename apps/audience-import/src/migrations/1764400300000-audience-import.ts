import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * audience-import's tables. Members are kept at the XC id level (import_members) so a delta can
 * remove an id and a recipient stays while another of its ids is still in the audience; the list
 * is the distinct recipients of its import. Snapshots are staged per run (run_*), diffed in SQL.
 */
export class AudienceImport1764400300000 implements MigrationInterface {
  name = 'AudienceImport1764400300000';

  async up(runner: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE known_orgs (
        org_id text PRIMARY KEY,
        name text,
        known_since timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE data_sources (
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
      )`,
      `CREATE INDEX data_sources_dpid ON data_sources (org_id, xc_data_source_id) WHERE xc_data_source_id IS NOT NULL`,
      `CREATE TABLE xc_audiences (
        org_id text NOT NULL,
        audience_id text NOT NULL,
        name text NOT NULL,
        solution text NOT NULL,
        labels text[] NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        withdrawn_at timestamptz,
        PRIMARY KEY (org_id, audience_id)
      )`,
      `CREATE TABLE policies (
        org_id text NOT NULL,
        action text NOT NULL,
        denied_labels text[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, action)
      )`,
      `CREATE TABLE imports (
        import_id text PRIMARY KEY,
        org_id text NOT NULL,
        audience_id text NOT NULL,
        list_id text NOT NULL,
        list_label text,
        data_source_id text NOT NULL,
        mode text NOT NULL,
        state text NOT NULL,
        closed boolean NOT NULL DEFAULT false,
        reason text,
        snapshots int NOT NULL DEFAULT 0,
        next_run_seq int NOT NULL DEFAULT 1,
        received bigint NOT NULL DEFAULT 0,
        matched bigint NOT NULL DEFAULT 0,
        unmatched bigint NOT NULL DEFAULT 0,
        invalid bigint NOT NULL DEFAULT 0,
        pending bigint NOT NULL DEFAULT 0,
        added bigint NOT NULL DEFAULT 0,
        removed bigint NOT NULL DEFAULT 0,
        late_matched bigint NOT NULL DEFAULT 0,
        decision jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (org_id, list_id)
      )`,
      `CREATE INDEX imports_audience ON imports (org_id, audience_id)`,
      `CREATE INDEX imports_org_created ON imports (org_id, import_id)`,
      `CREATE TABLE decisions (
        seq bigserial PRIMARY KEY,
        import_id text NOT NULL,
        run_seq int,
        action text NOT NULL,
        policy text NOT NULL,
        labels text[] NOT NULL,
        allowed boolean NOT NULL,
        reason text,
        decided_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX decisions_import ON decisions (import_id, seq)`,
      // One run = one snapshot applied to one import.
      `CREATE TABLE runs (
        run_id bigserial PRIMARY KEY,
        import_id text NOT NULL,
        seq int NOT NULL,
        snapshot_key text NOT NULL,
        mode text NOT NULL,
        request_id text NOT NULL UNIQUE,
        state text NOT NULL,
        last_part int,
        parts_received int NOT NULL DEFAULT 0,
        parts_unresolved int NOT NULL DEFAULT 0,
        received bigint NOT NULL DEFAULT 0,
        invalid bigint NOT NULL DEFAULT 0,
        matched bigint NOT NULL DEFAULT 0,
        unmatched bigint NOT NULL DEFAULT 0,
        staged boolean NOT NULL DEFAULT true,
        reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (import_id, snapshot_key)
      )`,
      `CREATE INDEX runs_open ON runs (import_id, seq) WHERE state = 'receiving'`,
      `CREATE INDEX runs_staged ON runs (run_id) WHERE staged AND state <> 'receiving'`,
      `CREATE TABLE run_parts (
        run_id bigint NOT NULL,
        part int NOT NULL,
        request_event_id uuid,
        resolved boolean NOT NULL,
        PRIMARY KEY (run_id, part)
      )`,
      `CREATE INDEX run_parts_request_event ON run_parts (request_event_id) WHERE request_event_id IS NOT NULL`,
      `CREATE TABLE run_matched (run_id bigint NOT NULL, xc_id text NOT NULL, recipient_id text NOT NULL)`,
      `CREATE INDEX run_matched_run ON run_matched (run_id)`,
      `CREATE TABLE run_unmatched (run_id bigint NOT NULL, xc_id text NOT NULL)`,
      `CREATE INDEX run_unmatched_run ON run_unmatched (run_id)`,
      `CREATE TABLE run_removed (run_id bigint NOT NULL, xc_id text NOT NULL)`,
      `CREATE INDEX run_removed_run ON run_removed (run_id)`,
      `CREATE TABLE run_changes (run_id bigint NOT NULL, op char(1) NOT NULL, recipient_id text NOT NULL)`,
      `CREATE INDEX run_changes_run ON run_changes (run_id)`,
      `CREATE TABLE import_members (
        import_id text NOT NULL,
        xc_id text NOT NULL,
        recipient_id text NOT NULL,
        PRIMARY KEY (import_id, xc_id)
      )`,
      `CREATE INDEX import_members_recipient ON import_members (import_id, recipient_id)`,
      `CREATE TABLE pending_ids (
        import_id text NOT NULL,
        xc_id text NOT NULL,
        PRIMARY KEY (import_id, xc_id)
      )`,
      `CREATE INDEX pending_ids_xc ON pending_ids (xc_id)`,
      `CREATE TABLE imported_files (
        file_id text PRIMARY KEY,
        org_id text NOT NULL,
        name text NOT NULL,
        origin text NOT NULL,
        state text NOT NULL,
        lines bigint NOT NULL,
        applied bigint NOT NULL,
        error_count bigint NOT NULL,
        errors jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`,
      // A file is applied at most once; a refused one may be sent again once fixed.
      `CREATE UNIQUE INDEX imported_files_once ON imported_files (org_id, name) WHERE state = 'applied'`,
    ];
    for (const statement of statements) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'imported_files',
      'pending_ids',
      'import_members',
      'run_changes',
      'run_removed',
      'run_unmatched',
      'run_matched',
      'run_parts',
      'runs',
      'decisions',
      'imports',
      'policies',
      'xc_audiences',
      'data_sources',
      'known_orgs',
    ]) {
      await runner.query(`DROP TABLE ${table}`);
    }
  }
}
