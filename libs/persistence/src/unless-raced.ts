import type { EntityManager } from 'typeorm';
import { query } from './query';

const UNIQUE_VIOLATION = '23505';

/**
 * Runs `plain`, writes that assume none of their keys is there yet (a plain INSERT costs Postgres
 * about a third less than INSERT ... ON CONFLICT), under a savepoint. If a unique violation proves
 * one is (another transaction added it since this one looked), `plain` is rolled back and
 * `careful`, which tolerates keys already there, runs instead. `savepoint` is an SQL identifier.
 */
export async function plainlyUnlessRaced<T>(tx: EntityManager, savepoint: string, plain: () => Promise<T>, careful: () => Promise<T>): Promise<T> {
  await query(tx, `SAVEPOINT ${savepoint}`);
  try {
    const result = await plain();
    await query(tx, `RELEASE SAVEPOINT ${savepoint}`);
    return result;
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await query(tx, `ROLLBACK TO SAVEPOINT ${savepoint}`);
    return careful();
  }
}
