/**
 * Rows of an UPDATE/DELETE … RETURNING: TypeORM's postgres driver answers those as
 * `[rows, affectedCount]`, unlike SELECT and INSERT.
 */
export function returned<T = Record<string, any>>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
