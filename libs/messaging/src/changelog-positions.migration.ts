import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How far a replica kept by a ChangelogConsumer has applied each partition of its compacted topic
 * (consumer/changelog-positions.ts). Each batch's transaction moves its partition's row, so the
 * replica and its positions always agree: empty one, empty both.
 */
export class ChangelogPositions1765000000800 implements MigrationInterface {
  name = 'ChangelogPositions1765000000800';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE changelog_positions (
        topic text COLLATE "C" NOT NULL,
        partition integer NOT NULL,
        applied_through bigint NOT NULL,
        PRIMARY KEY (topic, partition)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE changelog_positions`);
  }
}
