import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';

/** Where a statement runs: a transaction's manager (its connection) or the data source (a pooled connection). */
export type Db = EntityManager | DataSource;

/** A statement's rows, typed by the caller, and the driver's row count. */
export interface QueryResult<Row> {
  rows: Row[];
  /**
   * pg's rowCount, the same for every statement kind: rows returned by a SELECT, rows written by
   * INSERT/UPDATE/DELETE (with or without RETURNING); 0 for statements that count nothing (SET, DDL).
   */
  rowCount: number;
}

/**
 * The one way SQL is run outside migrations: typed rows and a row count. It goes through TypeORM's
 * public QueryRunner.query(sql, params, useStructuredResult = true), whose `records` and `affected`
 * are pg's rows and rowCount whatever the statement; the unstructured form answers UPDATE/DELETE
 * as `[rows, count]` and everything else as rows, which callers had to tell apart.
 *
 * `Row` is what the caller declares the SQL to select: pg's types (bigint and numeric arrive as
 * strings, timestamptz as Date), which a repository maps to its own types.
 */
export async function query<Row extends object = Record<string, unknown>>(db: Db, sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
  const manager = db instanceof DataSource ? db.manager : db;
  const runner = manager.queryRunner;
  // A transaction's manager is bound to its runner (a released one throws, as EntityManager.query
  // does); otherwise a runner is borrowed from the pool for this one statement.
  if (runner) return structured<Row>(runner, sql, params);
  const borrowed = manager.connection.createQueryRunner();
  try {
    return await structured<Row>(borrowed, sql, params);
  } finally {
    await borrowed.release();
  }
}

/** The rows of `query`, for callers that do not need the count. */
export async function queryRows<Row extends object = Record<string, unknown>>(db: Db, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
  return (await query<Row>(db, sql, params)).rows;
}

/** The first row of `query`, or undefined when there is none. */
export async function queryOne<Row extends object = Record<string, unknown>>(db: Db, sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
  return (await query<Row>(db, sql, params)).rows[0];
}

/** The row count of `query`, for statements run for what they wrote (INSERT, UPDATE, DELETE, CREATE TABLE AS). */
export async function execute(db: Db, sql: string, params: readonly unknown[] = []): Promise<number> {
  return (await query(db, sql, params)).rowCount;
}

async function structured<Row>(runner: QueryRunner, sql: string, params: readonly unknown[]): Promise<QueryResult<Row>> {
  const result = await runner.query(sql, [...params], true);
  // A multi-statement text has no single result: no rows and no count.
  return { rows: (result.records as Row[] | undefined) ?? [], rowCount: result.affected ?? 0 };
}
