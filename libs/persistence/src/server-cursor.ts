import type { EntityManager } from 'typeorm';
import { query, queryRows } from './query';

let cursors = 0;

export interface CursorOptions {
  /**
   * The whole result will be read: plan for total time (hash joins) rather than the first rows
   * (cursor_tuple_fraction 1.0 while the cursor is declared). Without it, Postgres plans a cursor
   * for fast start, which suits results streamed along an index.
   */
  wholeResult?: boolean;
}

/** A result read a page at a time. */
export interface RowCursor<T extends object> {
  /** The next `count` rows; fewer (or none) at the end. */
  fetch(count: number): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * A server-side cursor in the caller's transaction (`tx` bound to one connection): the result is
 * read in pages of any size, so memory holds one page whatever the result's size. Parameters are
 * bound like any query's.
 */
export class ServerCursor<T extends object> implements RowCursor<T> {
  private constructor(
    private readonly tx: EntityManager,
    private readonly name: string,
  ) {}

  static async open<T extends object>(tx: EntityManager, sql: string, params: unknown[] = [], options: CursorOptions = {}): Promise<ServerCursor<T>> {
    const name = `hub_cursor_${++cursors}`;
    if (options.wholeResult) await query(tx, `SET LOCAL cursor_tuple_fraction = 1.0`);
    await query(tx, `DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
    // The plan is made at DECLARE: later cursors of the transaction get the default again.
    if (options.wholeResult) await query(tx, `SET LOCAL cursor_tuple_fraction TO DEFAULT`);
    return new ServerCursor<T>(tx, name);
  }

  /** The next `count` rows; fewer (or none) at the end. */
  fetch(count: number): Promise<T[]> {
    return queryRows<T>(this.tx, `FETCH ${Math.trunc(count)} FROM ${this.name}`);
  }

  close(): Promise<void> {
    return query(this.tx, `CLOSE ${this.name}`).then(() => undefined);
  }
}

/**
 * A result small enough to have been read whole (a delta's changes), paged like a cursor's: no
 * DECLARE, FETCH or CLOSE round trips, each of which waits for a busy machine's CPU.
 */
export class RowsInHand<T extends object> implements RowCursor<T> {
  private next = 0;

  constructor(private readonly rows: readonly T[]) {}

  fetch(count: number): Promise<T[]> {
    const page = this.rows.slice(this.next, this.next + Math.trunc(count));
    this.next += page.length;
    return Promise.resolve(page);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Streams a query's whole result in pages of `pageSize` rows through a ServerCursor. */
export async function* cursorPages<T extends object>(tx: EntityManager, sql: string, params: unknown[], pageSize: number): AsyncGenerator<T[]> {
  const cursor = await ServerCursor.open<T>(tx, sql, params, { wholeResult: true });
  try {
    for (;;) {
      const rows = await cursor.fetch(pageSize);
      if (rows.length > 0) yield rows;
      if (rows.length < pageSize) break;
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
}
