import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import { assertIdentifier } from './data-source';

/** The raw pg client behind a TypeORM transaction, for COPY. */
export function pgClientOf(manager: EntityManager): PoolClient {
  const runner = manager.queryRunner as unknown as { databaseConnection?: PoolClient } | undefined;
  if (!runner?.databaseConnection) throw new Error('COPY needs a connected query runner (call it inside a transaction)');
  return runner.databaseConnection;
}

/** Escapes one value for COPY's text format. */
export function copyText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : text;
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
  assertIdentifier(table.replace(/^[a-z_0-9]+\./, ''));
  columns.forEach(assertIdentifier);
  const client = pgClientOf(manager);
  const sink = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  const source = Readable.from(encodeRows(rows));
  await pipeline(source, sink);
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
