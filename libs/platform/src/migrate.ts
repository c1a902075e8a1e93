import { createServiceDataSource, migrateServiceSchema, pendingMigrations, redactDatabaseUrl } from '@audience-hub/persistence';
import { baseConfigSchema, loadConfig } from './config';
import type { ServiceDescriptor } from './service-descriptor';

/** A service started with DATABASE_MIGRATIONS=verify on a schema that lacks migrations it needs. */
export class PendingMigrationsError extends Error {
  constructor(
    descriptor: ServiceDescriptor,
    schema: string,
    readonly pending: string[],
  ) {
    super(
      `schema ${schema} lacks ${pending.length} migration(s) this version needs (${pending.join(', ')}). ` +
        `Run them once: node dist/apps/${descriptor.name}/src/main.js migrate (the deployment's migration Job does), ` +
        `or start with DATABASE_MIGRATIONS=auto to apply them at start`,
    );
    this.name = 'PendingMigrationsError';
  }
}

export interface MigrateOutcome {
  schema: string;
  /** Migrations this run applied; empty when another run (or an earlier one) had applied them. */
  applied: string[];
  pending: string[];
}

/**
 * `main.js migrate`: applies the service's pending migrations under the schema's migration lock,
 * then exits. Reads only the base configuration (DATABASE_URL, DATABASE_SCHEMA), so a migration Job
 * needs no other secret of the service.
 */
export async function migrate(descriptor: ServiceDescriptor, env: NodeJS.ProcessEnv = process.env): Promise<MigrateOutcome> {
  const config = loadConfig(baseConfigSchema(descriptor), env);
  const dataSource = createServiceDataSource({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    migrations: descriptor.migrations,
    poolSize: 2,
    applicationName: `audience-hub-${descriptor.name}-migrate`,
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new Error(`cannot connect to ${redactDatabaseUrl(config.DATABASE_URL)}: ${(error as Error).message}`);
  }
  try {
    const applied = await migrateServiceSchema(dataSource);
    return { schema: config.DATABASE_SCHEMA, applied, pending: await pendingMigrations(dataSource) };
  } finally {
    await dataSource.destroy();
  }
}
