import { DataSource, EntityManager, MigrationInterface } from 'typeorm';
import { AfterCommitEffects } from './after-commit';
import { query, queryRows } from './query';

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
    // afterCommit's effects run when the outermost transaction commits, and are dropped on rollback.
    subscribers: [AfterCommitEffects],
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

/**
 * Creates the schema (owned by the connecting role) and runs pending migrations, each in its own
 * transaction, under a Postgres advisory lock per schema: instances (or migrate commands) started
 * together wait for one another, and only the first applies anything (TypeORM has no lock of its
 * own, typeorm/typeorm#4588). Returns the names of the migrations this call applied.
 */
export async function migrateServiceSchema(dataSource: DataSource): Promise<string[]> {
  const schema = schemaOf(dataSource);
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    // A session lock on a connection of its own: the migrations run on others, each in a transaction.
    await lock.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [migrationLockName(schema)]);
    await query(dataSource, `CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((migration) => migration.name);
  } finally {
    await lock.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [migrationLockName(schema)]).catch(() => undefined);
    await lock.release();
  }
}

/** The migrations of this data source not yet applied to its schema, in order (all of them on an empty schema). */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const schema = schemaOf(dataSource);
  const table = (dataSource.options as { migrationsTableName?: string }).migrationsTableName ?? 'migrations';
  const [{ present }] = await queryRows<{ present: boolean }>(dataSource, `SELECT to_regclass($1) IS NOT NULL AS present`, [`${schema}.${table}`]);
  const applied = new Set(present ? (await queryRows<{ name: string }>(dataSource, `SELECT name FROM ${schema}.${table}`)).map((row) => row.name) : []);
  return dataSource.migrations.map((migration) => migration.name ?? migration.constructor.name).filter((name) => !applied.has(name));
}

/** The schema a data source works in (`public` when it names none), checked to be a plain identifier. */
export function schemaOf(dataSource: DataSource): string {
  const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
  assertIdentifier(schema);
  return schema;
}

const migrationLockName = (schema: string) => `audience-hub.migrations.${schema}`;

export type Tx = EntityManager;

/** Schema names are interpolated into SQL, so only plain identifiers are allowed. */
export function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid SQL identifier: ${name}`);
}
