import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ids of each audience's last received full snapshot, as they arrived (before a data source's
 * normalization), so `POST /v1/imports/dry-run` can say what re-applying it would do now. A
 * snapshot is `receiving` until every part arrived, then `kept` (at most one per audience); a
 * newer kept one makes it `superseded`, and the staging janitor drops superseded ones in batches.
 */
export class ReceivedSnapshots1765000000200 implements MigrationInterface {
  name = 'ReceivedSnapshots1765000000200';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of [
      `CREATE TABLE received_snapshots (
        snapshot_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        org_id text COLLATE "C" NOT NULL,
        audience_id text COLLATE "C" NOT NULL,
        snapshot_key text COLLATE "C" NOT NULL,
        id_type text COLLATE "C" NOT NULL,
        data_source_id text COLLATE "C",
        state text COLLATE "C" NOT NULL DEFAULT 'receiving' CHECK (state IN ('receiving', 'kept', 'superseded')),
        last_part int,
        parts_received int NOT NULL DEFAULT 0,
        ids bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        UNIQUE (org_id, audience_id, snapshot_key)
      )`,
      `CREATE UNIQUE INDEX received_snapshots_kept ON received_snapshots (org_id, audience_id) WHERE state = 'kept'`,
      `CREATE INDEX received_snapshots_superseded ON received_snapshots (snapshot_id) WHERE state = 'superseded'`,
      `CREATE TABLE received_snapshot_parts (snapshot_id bigint NOT NULL, part int NOT NULL, PRIMARY KEY (snapshot_id, part))`,
      // No key: an id sent in two parts is kept twice, and counted once when the snapshot is applied again.
      // Indexed by snapshot only: an index over xc_id is filled in random order, which doubled the
      // cost of importing a 1,000,000-member snapshot; privacy requests read the org's kept ids instead.
      `CREATE TABLE received_snapshot_ids (snapshot_id bigint NOT NULL, xc_id text COLLATE "C" NOT NULL)`,
      `CREATE INDEX received_snapshot_ids_snapshot ON received_snapshot_ids (snapshot_id)`,
    ]) {
      await runner.query(statement);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE received_snapshot_ids, received_snapshot_parts, received_snapshots`);
  }
}
