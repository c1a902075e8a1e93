import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A counter per org of the batches that changed its links in the replica (graph-lock.ts): a chunk
 * resolved ahead of its transaction, outside the graph lock, is trusted only if the counter is
 * still what the resolution read.
 */
export class GraphVersions1765000000600 implements MigrationInterface {
  name = 'GraphVersions1765000000600';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE graph_versions (org_id text COLLATE "C" PRIMARY KEY, version bigint NOT NULL)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE graph_versions`);
  }
}
