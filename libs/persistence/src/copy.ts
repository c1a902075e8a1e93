import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import { assertIdentifier } from './data-source';

/**
 * The pg client behind a TypeORM transaction, for COPY. QueryRunner.connect() is public and, for
 * the postgres driver (TypeORM 0.3, PostgresQueryRunner.connect), resolves to the pool client the
 * runner holds: the transaction's own connection, already connected, so no new one is taken. Its
 * declared type is `any`, hence the cast to pg's PoolClient.
 */
export async function pgClientOf(manager: EntityManager): Promise<PoolClient> {
  const runner = manager.queryRunner;
  if (!runner) throw new Error('COPY needs a query runner (call it with the manager of a transaction)');
  return (await runner.connect()) as PoolClient;
}

/** Escapes one value for COPY's text format. */
export function copyText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : text;
}

/**
 * Streams rows into `table` with COPY FROM STDIN (text format). Rows are produced lazily,
 * so memory stays bounded by the stream's buffer, not by the number of rows.
 */
export async function copyRows(
  manager: EntityManager,
  table: string,
  columns: string[],
  rows: Iterable<ReadonlyArray<string | number | boolean | null | undefined>>,
): Promise<void> {
  await copyEncoded(manager, table, columns, encodeRows(rows));
}

/**
 * COPY of text already in COPY's text format (lines of `copyText` values joined by tabs): for hot
 * paths that build their rows as one string instead of an array per row.
 */
export async function copyEncoded(manager: EntityManager, table: string, columns: string[], text: Iterable<string>): Promise<void> {
  assertIdentifier(table.replace(/^[a-z_0-9]+\./, ''));
  columns.forEach(assertIdentifier);
  const sink = (await pgClientOf(manager)).query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(text), sink);
}

function* encodeRows(rows: Iterable<ReadonlyArray<string | number | boolean | null | undefined>>): Generator<string> {
  let buffer = '';
  for (const row of rows) {
    buffer += row.map(copyText).join('\t') + '\n';
    if (buffer.length >= 64 * 1024) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}
