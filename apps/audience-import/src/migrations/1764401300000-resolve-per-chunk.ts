import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each chunk of a snapshot is resolved against the replica as it arrives, instead of staging every
 * received id (run_received) for one big join when the run is applied: matched ids go straight to
 * the run's members (or run_matched), unmatched ones to run_unmatched, each at most once per run
 * (unique on (run_id, xc_id), which also serves the lookups the run_id indexes served), and the
 * run keeps the distinct counts. Runs still receiving are resolved here, as they would have been
 * at apply time, before run_received goes.
 */
export class ResolvePerChunk1764401300000 implements MigrationInterface {
  name = 'ResolvePerChunk1764401300000';

  async up(runner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE runs ADD COLUMN matched bigint NOT NULL DEFAULT 0, ADD COLUMN unmatched bigint NOT NULL DEFAULT 0`,
      // Duplicates could only be left by runs that are finished (a DISTINCT at apply time kept them apart).
      `DELETE FROM run_matched m USING runs r WHERE m.run_id = r.run_id AND r.state <> 'receiving'`,
      `DELETE FROM run_unmatched u USING runs r WHERE u.run_id = r.run_id AND r.state <> 'receiving'`,
      `DROP INDEX run_matched_run`,
      `DROP INDEX run_unmatched_run`,
      `ALTER TABLE run_matched ADD PRIMARY KEY (run_id, xc_id)`,
      `ALTER TABLE run_unmatched ADD PRIMARY KEY (run_id, xc_id)`,
      `CREATE TEMP TABLE open_runs ON COMMIT DROP AS
       SELECT r.run_id, i.org_id, i.data_source_id, (r.mode = 'full' AND i.mode = 'full') AS replaces
         FROM runs r JOIN imports i USING (import_id) WHERE r.state = 'receiving'`,
      `INSERT INTO import_members (run_id, xc_id, recipient_id)
       SELECT o.run_id, x.xc_id, l.recipient_id FROM open_runs o JOIN run_received x USING (run_id)
         JOIN identity_links l ON l.org_id = o.org_id AND l.data_source_id = o.data_source_id AND l.xc_id = x.xc_id
        WHERE o.replaces ON CONFLICT DO NOTHING`,
      `INSERT INTO run_matched (run_id, xc_id, recipient_id)
       SELECT o.run_id, x.xc_id, l.recipient_id FROM open_runs o JOIN run_received x USING (run_id)
         JOIN identity_links l ON l.org_id = o.org_id AND l.data_source_id = o.data_source_id AND l.xc_id = x.xc_id
        WHERE NOT o.replaces ON CONFLICT DO NOTHING`,
      `INSERT INTO run_unmatched (run_id, xc_id)
       SELECT o.run_id, x.xc_id FROM open_runs o JOIN run_received x USING (run_id)
        WHERE NOT EXISTS (SELECT 1 FROM identity_links l WHERE l.org_id = o.org_id AND l.data_source_id = o.data_source_id AND l.xc_id = x.xc_id)
       ON CONFLICT DO NOTHING`,
      `UPDATE runs r SET matched = (SELECT count(*) FROM import_members m WHERE m.run_id = r.run_id) + (SELECT count(*) FROM run_matched m WHERE m.run_id = r.run_id),
                        unmatched = (SELECT count(*) FROM run_unmatched u WHERE u.run_id = r.run_id)
        WHERE r.state = 'receiving'`,
      `DROP TABLE run_received`,
    ];
    for (const statement of statements) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE run_received (run_id bigint NOT NULL, xc_id text NOT NULL)`,
      `CREATE INDEX run_received_run ON run_received (run_id)`,
      // Open runs' resolved ids go back to being received ids, resolved again at apply time.
      `INSERT INTO run_received (run_id, xc_id)
       SELECT r.run_id, m.xc_id FROM runs r JOIN import_members m ON m.run_id = r.run_id WHERE r.state = 'receiving'
       UNION ALL SELECT m.run_id, m.xc_id FROM run_matched m JOIN runs r USING (run_id) WHERE r.state = 'receiving'
       UNION ALL SELECT u.run_id, u.xc_id FROM run_unmatched u JOIN runs r USING (run_id) WHERE r.state = 'receiving'`,
      `DELETE FROM import_members m USING runs r WHERE m.run_id = r.run_id AND r.state = 'receiving'`,
      `DELETE FROM run_matched m USING runs r WHERE m.run_id = r.run_id AND r.state = 'receiving'`,
      `DELETE FROM run_unmatched u USING runs r WHERE u.run_id = r.run_id AND r.state = 'receiving'`,
      `ALTER TABLE run_matched DROP CONSTRAINT run_matched_pkey`,
      `ALTER TABLE run_unmatched DROP CONSTRAINT run_unmatched_pkey`,
      `CREATE INDEX run_matched_run ON run_matched (run_id)`,
      `CREATE INDEX run_unmatched_run ON run_unmatched (run_id)`,
      `ALTER TABLE runs DROP COLUMN matched, DROP COLUMN unmatched`,
    ];
    for (const statement of statements) await runner.query(statement);
  }
}
