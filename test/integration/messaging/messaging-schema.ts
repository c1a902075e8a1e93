import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createServiceDataSource, migrateServiceSchema } from '@audience-hub/persistence';
import { MESSAGING_MIGRATIONS } from '@audience-hub/messaging';
import { testEnv } from '@audience-hub/testing';

/** A data source on a schema of its own (`<prefix>_<random>`) holding only the messaging tables (outbox, inbox), migrated. */
export async function openMessagingSchema(prefix: string): Promise<DataSource> {
  const dataSource = createServiceDataSource({ url: testEnv().databaseUrl, schema: `${prefix}_${randomBytes(4).toString('hex')}`, migrations: [...MESSAGING_MIGRATIONS] });
  await dataSource.initialize();
  await migrateServiceSchema(dataSource);
  return dataSource;
}
