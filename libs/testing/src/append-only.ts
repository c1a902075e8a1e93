import { Client } from 'pg';
import type { ServiceName } from '@audience-hub/persistence';
import type { TestEnv } from './test-env';

/**
 * Proves a table is append-only for a service's own role (the role the service runs as): UPDATE,
 * DELETE and TRUNCATE are refused, whatever rows there are.
 */
export async function expectAppendOnlyForServiceRole(env: TestEnv, service: ServiceName, table: string): Promise<void> {
  const client = new Client({ connectionString: env.serviceDatabaseUrl(service) });
  await client.connect();
  try {
    for (const statement of [`UPDATE ${table} SET reason = 'changed'`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
      const refusal = await client.query(statement).then(
        () => undefined,
        (error: Error) => error.message,
      );
      if (!refusal || !/permission denied for table/.test(refusal)) throw new Error(`${service} role: "${statement}" was not refused (${refusal ?? 'it succeeded'})`);
    }
  } finally {
    await client.end();
  }
}
