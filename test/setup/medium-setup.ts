import './register-aliases';
import { dropDatabase, prepareDatabase } from '@audience-hub/persistence';
import { mediumDatabaseName, postgresAdminUrl } from '@audience-hub/testing';

/**
 * Once per medium run: a fresh database of its own (Postgres only, no Kafka), in which each spec
 * file migrates a schema of its own (openMediumSchema), so the files may run in parallel.
 */
export default async function mediumSetup(): Promise<void> {
  const adminUrl = postgresAdminUrl();
  const database = mediumDatabaseName();
  await dropDatabase(adminUrl, database);
  await prepareDatabase({ adminUrl, database, rolePassword: 'audience-hub' });
}
