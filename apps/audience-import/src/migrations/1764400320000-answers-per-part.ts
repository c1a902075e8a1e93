import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Answers are staged concurrently, without the import's lock: each keeps its counts on its own
 * part (run_parts.matched, unmatched) instead of incrementing the run's row, which every answer of
 * a run would otherwise wait for. A run's unresolved parts and counts are read from its parts.
 * Counts of answers recorded before move onto the first answered part of their run.
 */
export class AnswersPerPart1764400320000 implements MigrationInterface {
  name = 'AnswersPerPart1764400320000';

  async up(runner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE run_parts ADD COLUMN matched int NOT NULL DEFAULT 0, ADD COLUMN unmatched int NOT NULL DEFAULT 0`,
      `UPDATE run_parts p SET matched = r.matched, unmatched = r.unmatched FROM runs r
        WHERE p.run_id = r.run_id AND (r.matched > 0 OR r.unmatched > 0)
          AND p.part = (SELECT min(q.part) FROM run_parts q WHERE q.run_id = r.run_id AND q.resolved)`,
      `ALTER TABLE runs DROP COLUMN parts_unresolved, DROP COLUMN matched, DROP COLUMN unmatched`,
    ];
    for (const statement of statements) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE runs ADD COLUMN parts_unresolved int NOT NULL DEFAULT 0, ADD COLUMN matched bigint NOT NULL DEFAULT 0, ADD COLUMN unmatched bigint NOT NULL DEFAULT 0`,
      `UPDATE runs r SET parts_unresolved = p.unresolved, matched = p.matched, unmatched = p.unmatched
         FROM (SELECT run_id, count(*) FILTER (WHERE NOT resolved) AS unresolved, sum(matched) AS matched, sum(unmatched) AS unmatched
                 FROM run_parts GROUP BY run_id) p
        WHERE p.run_id = r.run_id`,
      `ALTER TABLE run_parts DROP COLUMN matched, DROP COLUMN unmatched`,
    ];
    for (const statement of statements) await runner.query(statement);
  }
}
