import { DataSource, EntityManager, MigrationInterface } from 'typeorm';

export interface ServiceDataSourceOptions {
  /** postgres:// URL; the user is the service's own role. */
  url: string;
  /** The one schema this service owns; also its search_path, so SQL stays unqualified. */
  schema: string;
  migrations: Array<new () => MigrationInterface>;
  poolSize?: number;
  applicationName?: string;
}

/** A TypeORM data source bound to one schema: no entities sync, named migrations table. */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  assertIdentifier(options.schema);
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    synchronize: false,
    migrationsRun: false,
    migrations: options.migrations,
    migrationsTableName: `${options.schema}_migrations`,
    applicationName: options.applicationName,
    poolSize: options.poolSize ?? 10,
    extra: {
      // client_connection_check_interval: a statement of an instance that died (SIGKILL, lost
      // host) is cancelled within 2 s, releasing its locks, instead of running to its end.
      options: `-c search_path=${options.schema} -c client_connection_check_interval=2000`,
      connectionTimeoutMillis: 5_000,
    },
  });
}

/** Creates the schema (owned by the connecting role) and runs pending migrations, each in its own transaction. */
export async function migrateServiceSchema(dataSource: DataSource): Promise<string[]> {
  const schema = (dataSource.options as { schema?: string }).schema;
  if (!schema) throw new Error('data source has no schema');
  assertIdentifier(schema);
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const ran = await dataSource.runMigrations({ transaction: 'each' });
  return ran.map((migration) => migration.name);
}

export type Tx = EntityManager;

/** Schema names are interpolated into SQL, so only plain identifiers are allowed. */
export function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid SQL identifier: ${name}`);
}
