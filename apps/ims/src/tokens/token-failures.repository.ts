import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { execute, query, queryRows } from '@audience-hub/persistence';

/** The brake's policy, in one place (apps/ims/README.md states it). */
export const BRAKE = {
  /** Wrong secrets per client id and address before the first lock. */
  freeFailures: 5,
  /** The first lock; each further failure doubles it... */
  firstLockSeconds: 1,
  /** ...up to this. */
  maxLockSeconds: 300,
  /** A pair with no failure for this long starts again from zero (and its row is swept). */
  forgetAfterSeconds: 3600,
} as const;

/** The failure count a pair reaches with one more failure (table alias `t`). */
const NEXT_COUNT = `CASE WHEN t.last_failure_at < now() - interval '${BRAKE.forgetAfterSeconds} seconds' THEN 1 ELSE t.failures + 1 END`;

/** The lock a pair gets at `count` failures: none below the free ones, then 1 s doubling to the cap. */
const lockUntil = (count: string) =>
  `CASE WHEN ${count} >= ${BRAKE.freeFailures}
        THEN now() + make_interval(secs => least(${BRAKE.firstLockSeconds} * power(2, ${count} - ${BRAKE.freeFailures}), ${BRAKE.maxLockSeconds}))
   END`;

export interface FailureState {
  /** Seconds until the lock ends; absent when the pair is not locked now. */
  retryAfterSeconds?: number;
}

/**
 * SQL of the token endpoint's brake (table token_failures). Clean pairs cost one primary-key read
 * per attempt; writes happen only for pairs with failures.
 */
@Injectable()
export class TokenFailuresRepository {
  /** The pair's state, or undefined when it has no recent failure. */
  async find(db: EntityManager, clientId: string, address: string): Promise<FailureState | undefined> {
    const rows = await queryRows<{ retryAfterSeconds: number | null }>(
      db,
      `SELECT CASE WHEN locked_until > now() THEN greatest(1, ceil(extract(epoch FROM locked_until - now())))::int END AS "retryAfterSeconds"
         FROM token_failures WHERE client_id = $1 AND address = $2`,
      [clientId, address],
    );
    if (rows.length === 0) return undefined;
    return rows[0].retryAfterSeconds === null ? {} : { retryAfterSeconds: rows[0].retryAfterSeconds };
  }

  /**
   * Counts an attempt of a pair with failures as failed before it is checked, unless the pair is
   * locked (another instance may have locked it since `find`): false then. Attempts sent at once
   * are counted one by one, so a burst gets no more tries than a sequence.
   */
  async claimAttempt(db: EntityManager, clientId: string, address: string): Promise<boolean> {
    const { rowCount } = await query(
      db,
      `UPDATE token_failures t SET failures = ${NEXT_COUNT}, last_failure_at = now(), locked_until = ${lockUntil(NEXT_COUNT)}
        WHERE client_id = $1 AND address = $2 AND (locked_until IS NULL OR locked_until <= now())
        RETURNING 1`,
      [clientId, address],
    );
    return rowCount === 1;
  }

  /** One more failure of a pair (its first, or the first since another instance cleared it). */
  async recordFailure(db: EntityManager, clientId: string, address: string): Promise<void> {
    await query(
      db,
      `INSERT INTO token_failures AS t (client_id, address, failures, last_failure_at, locked_until) VALUES ($1, $2, 1, now(), ${lockUntil('1')})
       ON CONFLICT (client_id, address) DO UPDATE SET failures = ${NEXT_COUNT}, last_failure_at = now(), locked_until = ${lockUntil(NEXT_COUNT)}`,
      [clientId, address],
    );
  }

  /** The right secret: the pair starts again from zero. */
  async clear(db: EntityManager, clientId: string, address: string): Promise<void> {
    await query(db, `DELETE FROM token_failures WHERE client_id = $1 AND address = $2`, [clientId, address]);
  }

  /** Removes pairs whose failures are forgotten; returns how many. */
  async sweep(db: EntityManager): Promise<number> {
    return execute(db, `DELETE FROM token_failures WHERE last_failure_at < now() - interval '${BRAKE.forgetAfterSeconds} seconds'`);
  }
}
