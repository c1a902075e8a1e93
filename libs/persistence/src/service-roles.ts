import { Client } from 'pg';
import { assertIdentifier } from './data-source';
import { withDatabaseName, withDatabaseUser } from './database-url';

/** The Postgres role each service connects as; its grants reach only its own schema. */
export const SERVICE_DATABASE_ROLES = {
  ims: 'audience_hub_ims',
  'id-reconciliation': 'audience_hub_idrec',
  'audience-import': 'audience_hub_import',
  'audience-export': 'audience_hub_export',
} as const;

export type ServiceName = keyof typeof SERVICE_DATABASE_ROLES;

export interface DatabasePreparation {
  /** A superuser (or CREATEROLE + CREATEDB) URL; its database part is ignored. */
  adminUrl: string;
  database: string;
  /** Password given to every service role (trust auth ignores it). */
  rolePassword: string;
}

/** Drops a database, ending its sessions: a run that must not inherit an earlier one's state. */
export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  assertIdentifier(database);
  const server = new Client({ connectionString: withDatabaseName(adminUrl, 'postgres') });
  await server.connect();
  try {
    await server.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await server.end();
  }
}

/**
 * Creates the database and one login role per service, idempotently. Each role may connect and
 * create its own schema, nothing else: no role can use another's schema or the public schema.
 */
export async function prepareDatabase({ adminUrl, database, rolePassword }: DatabasePreparation): Promise<void> {
  assertIdentifier(database);
  const server = new Client({ connectionString: withDatabaseName(adminUrl, 'postgres') });
  await server.connect();
  try {
    const exists = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await server.query(`CREATE DATABASE ${database}`);
    for (const role of Object.values(SERVICE_DATABASE_ROLES)) {
      const known = await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const password = server.escapeLiteral(rolePassword);
      await server.query(`${known.rowCount === 0 ? 'CREATE' : 'ALTER'} ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${password}`);
    }
  } finally {
    await server.end();
  }
  const db = new Client({ connectionString: withDatabaseName(adminUrl, database) });
  await db.connect();
  try {
    await db.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
    await db.query(`REVOKE ALL ON SCHEMA public FROM PUBLIC`);
    for (const role of Object.values(SERVICE_DATABASE_ROLES)) {
      await db.query(`GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${database} TO ${role}`);
    }
  } finally {
    await db.end();
  }
}

/** The URL a service uses: same server and database as `databaseUrl`, as the service's role. */
export function serviceDatabaseUrl(databaseUrl: string, service: ServiceName, password?: string): string {
  return withDatabaseUser(databaseUrl, SERVICE_DATABASE_ROLES[service], password);
}
