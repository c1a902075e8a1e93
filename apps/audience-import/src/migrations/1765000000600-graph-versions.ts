import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A counter per org of the batches that changed its links in the replica (graph-lock.ts): a chunk
 * resolved ahead of its transaction, outside the graph lock, is trusted only if the counter is
 * still what the resolution read. Emptying the replica (an operator's rebuild) counts for every org.
 */
export class GraphVersions1765000000600 implements MigrationInterface {
  name = 'GraphVersions1765000000600';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of [
      `CREATE TABLE graph_versions (org_id text COLLATE "C" PRIMARY KEY, version bigint NOT NULL)`,
      `CREATE FUNCTION graph_versions_after_truncate() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
       BEGIN
         UPDATE graph_versions SET version = version + 1;
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER identity_links_truncated AFTER TRUNCATE ON identity_links FOR EACH STATEMENT EXECUTE FUNCTION graph_versions_after_truncate()`,
    ]) {
      await runner.query(statement);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER identity_links_truncated ON identity_links`);
    await runner.query(`DROP FUNCTION graph_versions_after_truncate()`);
    await runner.query(`DROP TABLE graph_versions`);
  }
}
