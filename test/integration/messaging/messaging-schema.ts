import { randomBytes } from 'node:crypto';
import type { DataSource, MigrationInterface } from 'typeorm';
import { createServiceDataSource, migrateServiceSchema } from '@audience-hub/persistence';
import { MESSAGING_MIGRATIONS } from '@audience-hub/messaging';
import { testEnv } from '@audience-hub/testing';

/** A data source on a schema of its own (`<prefix>_<random>`) holding the messaging tables (outbox, inbox) and the test's own, migrated. */
export async function openMessagingSchema(prefix: string, migrations: Array<new () => MigrationInterface> = []): Promise<DataSource> {
  const dataSource = createServiceDataSource({
    url: testEnv().databaseUrl,
    schema: `${prefix}_${randomBytes(4).toString('hex')}`,
    migrations: [...MESSAGING_MIGRATIONS, ...migrations],
  });
  await dataSource.initialize();
  await migrateServiceSchema(dataSource);
  return dataSource;
}
