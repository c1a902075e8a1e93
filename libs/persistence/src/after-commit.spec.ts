import type { EntityManager, QueryRunner } from 'typeorm';
import { afterCommit, AfterCommitEffects } from './after-commit';

/** A query runner's transaction state, as TypeORM keeps it, without a database. */
function fakeTransaction() {
  const runner = { isTransactionActive: true, transactionDepth: 1 };
  const subscriber = new AfterCommitEffects();
  const event = { queryRunner: runner as unknown as QueryRunner } as never;
  return {
    tx: { queryRunner: runner } as unknown as EntityManager,
    nest: () => (runner.transactionDepth += 1),
    commit: () => {
      runner.transactionDepth -= 1;
      runner.isTransactionActive = runner.transactionDepth > 0;
      subscriber.afterTransactionCommit(event);
    },
    rollback: () => {
      runner.transactionDepth -= 1;
      runner.isTransactionActive = runner.transactionDepth > 0;
      subscriber.afterTransactionRollback(event);
    },
  };
}

describe('afterCommit', () => {
  it('runs effects when the transaction commits, once', () => {
    const t = fakeTransaction();
    const runs: string[] = [];
    afterCommit(t.tx, () => runs.push('a'));
    afterCommit(t.tx, () => runs.push('b'));
    expect(runs).toEqual([]);
    t.commit();
    expect(runs).toEqual(['a', 'b']);
  });

  it('drops them when it rolls back, so a retried or dry-run transaction counts nothing', () => {
    const t = fakeTransaction();
    const runs: string[] = [];
    afterCommit(t.tx, () => runs.push('a'));
    t.rollback();
    expect(runs).toEqual([]);
  });

  it('keeps a nested transaction effects for the outermost commit, and drops them with its own rollback', () => {
    const t = fakeTransaction();
    const runs: string[] = [];
    afterCommit(t.tx, () => runs.push('outer'));
    t.nest();
    afterCommit(t.tx, () => runs.push('kept'));
    t.commit(); // the nested one
    t.nest();
    afterCommit(t.tx, () => runs.push('dropped'));
    t.rollback(); // the nested one
    expect(runs).toEqual([]);
    t.commit();
    expect(runs).toEqual(['outer', 'kept']);
  });

  it('runs at once outside a transaction', () => {
    const runs: string[] = [];
    afterCommit({ queryRunner: undefined } as unknown as EntityManager, () => runs.push('now'));
    expect(runs).toEqual(['now']);
  });
});
