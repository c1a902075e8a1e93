/*
 * Creates the audience-hub database and the four service roles.
 * Env: DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 *      DATABASE_NAME (default audience_hub), DATABASE_ROLE_PASSWORD (default audience-hub),
 *      DATABASE_RECREATE=true to drop the database first (CI: a run never inherits an earlier one's state).
 */
import { dropDatabase, prepareDatabase } from '../service-roles';
import { redactDatabaseUrl } from '../database-url';

const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = process.env.DATABASE_NAME ?? 'audience_hub';

async function recreate(): Promise<void> {
  if (process.env.DATABASE_RECREATE === 'true') await dropDatabase(adminUrl, database);
}

recreate()
  .then(() => prepareDatabase({ adminUrl, database, rolePassword: process.env.DATABASE_ROLE_PASSWORD ?? 'audience-hub' }))
  .then(() => console.log(`database ${database} ready at ${redactDatabaseUrl(adminUrl)} with one role per service`))
  .catch((error) => {
    console.error(`prepare-database: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
