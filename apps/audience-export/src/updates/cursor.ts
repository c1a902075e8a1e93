import type { EntityManager } from 'typeorm';

let cursors = 0;

/**
 * Streams a query's rows in pages through a server-side cursor, so memory holds one page whatever
 * the result size. Must run inside a transaction (`tx` bound to one connection).
 */
export async function* cursorPages<T>(tx: EntityManager, sql: string, params: unknown[], pageSize: number): AsyncGenerator<T[]> {
  const name = `export_cursor_${++cursors}`;
  // The whole result is read: plan for total time (hash joins), not for the first rows.
  await tx.query(`SET LOCAL cursor_tuple_fraction = 1.0`);
  await tx.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
  try {
    for (;;) {
      const rows: T[] = await tx.query(`FETCH ${pageSize} FROM ${name}`);
      if (rows.length > 0) yield rows;
      if (rows.length < pageSize) break;
    }
  } finally {
    await tx.query(`CLOSE ${name}`).catch(() => undefined);
  }
}
