import { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * A small pg pool beside a data source's own, with the same connection settings (role,
 * search_path), for read-only statements that a transaction of the main pool awaits. Its own
 * connections: a shared pool could run dry with every connection in a transaction that waits for
 * one more, while these connections are only ever held by a statement that needs nothing else.
 */
export function sidePool(dataSource: DataSource, purpose: string, max: number): Pool {
  const options = dataSource.options as { url?: string; applicationName?: string; extra?: { options?: string } };
  const pool = new Pool({
    connectionString: options.url,
    max,
    application_name: options.applicationName ? `${options.applicationName} ${purpose}` : purpose,
    options: options.extra?.options,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 10_000,
  });
  // An idle connection that breaks is dropped by the pool; the next statement opens another.
  pool.on('error', () => undefined);
  return pool;
}
