import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DataSource, EntityManager, MigrationInterface } from 'typeorm';
import type { AnyHubEvent } from '@audience-hub/contracts';
import { topicOfBundle, unbundle } from '@audience-hub/messaging';
import { createServiceDataSource, migrateServiceSchema, query, queryRows, withDatabaseName } from '@audience-hub/persistence';
import { HOW_TO_START_INFRA, parseEnvFile, REPO_ROOT } from './infra';

/**
 * The medium tier (`*.medium-spec.ts`, test/jest.medium.config.js): a service's use cases and
 * repositories built in-process on real Postgres, each spec file in a fresh schema of its own
 * migrated by the service's real migrations; Kafka is replaced by reading what the use cases
 * wrote to the outbox.
 */
/** A row of the outbox as the relay would send it: a tombstone has no event. */
export interface OutboxRecord {
  topic: string;
  key: string;
  event: AnyHubEvent | null;
}

export interface MediumSchema {
  dataSource: DataSource;
  schema: string;
  /** What was enqueued since the last call (or since the schema was made), in outbox order. */
  takeOutbox(): Promise<OutboxRecord[]>;
  /** Runs `work` in one transaction, as a consumer's batch or a controller's use case would. */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T>;
  /** Drops the schema and closes the pool. */
  close(): Promise<void>;
}

/** A superuser URL to Postgres: DATABASE_URL, else a running `npm run up` stack's. */
export function postgresAdminUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const stackEnv = resolve(REPO_ROOT, '.infra/stack.env');
  const stack = existsSync(stackEnv) ? parseEnvFile(readFileSync(stackEnv, 'utf8')) : {};
  if (stack.DATABASE_ADMIN_URL) return stack.DATABASE_ADMIN_URL;
  throw new Error(HOW_TO_START_INFRA);
}

/** The medium run's database, beside the integration tier's (both may run at once). */
export function mediumDatabaseName(env: NodeJS.ProcessEnv = process.env): string {
  return `${env.TEST_DATABASE_NAME ?? 'audience_hub_test'}_medium`;
}

export async function openMediumSchema(service: { schema: string; migrations: Array<new () => MigrationInterface> }): Promise<MediumSchema> {
  const schema = `${service.schema}_m${randomBytes(4).toString('hex')}`;
  const dataSource = createServiceDataSource({
    url: withDatabaseName(postgresAdminUrl(), mediumDatabaseName()),
    schema,
    migrations: service.migrations,
    poolSize: 4,
    applicationName: `medium ${service.schema}`,
  });
  await dataSource.initialize();
  await migrateServiceSchema(dataSource);
  let lastSeq = 0;
  return {
    dataSource,
    schema,
    transaction: (work) => dataSource.transaction(work),
    async takeOutbox() {
      const rows = await queryRows<{ seq: string; topic: string; message_key: string; message_value: string | null; records: number | null }>(
        dataSource,
        `SELECT seq, topic, message_key, message_value, records FROM outbox_events WHERE seq > $1 ORDER BY seq`,
        [lastSeq],
      );
      if (rows.length > 0) lastSeq = Number(rows[rows.length - 1].seq);
      return rows.flatMap((row) =>
        row.records === null
          ? [{ topic: row.topic, key: row.message_key, event: row.message_value === null ? null : (JSON.parse(row.message_value) as AnyHubEvent) }]
          : unbundle(row.message_value ?? '').map(({ key, value }) => ({ topic: topicOfBundle(row.topic), key, event: JSON.parse(value) as AnyHubEvent })),
      );
    },
    async close() {
      await query(dataSource, `DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
      await dataSource.destroy();
    },
  };
}
