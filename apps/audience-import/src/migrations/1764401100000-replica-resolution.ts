import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snapshots resolve against the service's replica of the identity graph (identity_links) when a
 * run is applied, instead of through id-reconciliation's answers: a run's added ids are staged as
 * received (run_received) and matched in one join at apply time. Parts need no answer any more.
 */
export class ReplicaResolution1764401100000 implements MigrationInterface {
  name = 'ReplicaResolution1764401100000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE run_received (run_id bigint NOT NULL, xc_id text NOT NULL)`);
    await runner.query(`CREATE INDEX run_received_run ON run_received (run_id)`);
    // Runs still waiting for answers that will never come: their parts count as answered, with
    // nothing matched; the next snapshot of their audience supersedes or follows them.
    await runner.query(`UPDATE run_parts SET resolved = true WHERE NOT resolved`);
    await runner.query(`ALTER TABLE run_parts DROP COLUMN request_event_id`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE run_parts ADD COLUMN request_event_id uuid`);
    await runner.query(`CREATE INDEX run_parts_request_event ON run_parts (request_event_id) WHERE request_event_id IS NOT NULL`);
    await runner.query(`DROP TABLE run_received`);
  }
}
