/**
 * Rows of an UPDATE/DELETE … RETURNING run through TypeORM: its postgres driver answers those as
 * `[rows, affectedCount]`, unlike SELECT and INSERT, which answer the rows.
 */
export function returnedRows<T = any>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
