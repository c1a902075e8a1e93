import { EventSubscriber, type EntityManager, type EntitySubscriberInterface, type QueryRunner, type TransactionCommitEvent, type TransactionRollbackEvent } from 'typeorm';

interface Effect {
  /** The transaction depth it was registered at (1: the transaction itself, more: a nested one). */
  depth: number;
  run: () => void;
}

const pending = new WeakMap<QueryRunner, Effect[]>();

/** TypeORM's nesting depth of the runner's transaction (1 outside any savepoint); public on its runners, not on the interface. */
const depthOf = (runner: QueryRunner): number => (runner as QueryRunner & { transactionDepth: number }).transactionDepth;

/**
 * Runs `effect` once the caller's transaction commits, and never if it rolls back: counters of
 * what a transaction did (metrics) count it once, not once per attempt nor for a dry run that is
 * rolled back. Outside a transaction it runs at once. Effects must not throw (a failing one is
 * logged by the caller's logger, not here: they run after the commit, when nothing can be undone).
 */
export function afterCommit(tx: EntityManager, effect: () => void): void {
  const runner = tx.queryRunner;
  if (!runner?.isTransactionActive) {
    effect();
    return;
  }
  const effects = pending.get(runner) ?? [];
  effects.push({ depth: depthOf(runner), run: effect });
  pending.set(runner, effects);
}

/** The data source's subscriber that runs (or drops) afterCommit's effects; createServiceDataSource registers it. */
@EventSubscriber()
export class AfterCommitEffects implements EntitySubscriberInterface {
  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (event.queryRunner.isTransactionActive) {
      // A nested transaction committed: its effects now belong to the one around it, and wait for the outermost commit.
      const depth = depthOf(event.queryRunner);
      for (const effect of pending.get(event.queryRunner) ?? []) effect.depth = Math.min(effect.depth, depth);
      return;
    }
    const effects = pending.get(event.queryRunner) ?? [];
    pending.delete(event.queryRunner);
    for (const effect of effects) {
      try {
        effect.run();
      } catch {
        // committed already: an effect's failure must not turn a commit into an error
      }
    }
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const depth = depthOf(event.queryRunner);
    const kept = (pending.get(event.queryRunner) ?? []).filter((effect) => effect.depth <= depth);
    if (kept.length > 0 && event.queryRunner.isTransactionActive) pending.set(event.queryRunner, kept);
    else pending.delete(event.queryRunner);
  }
}
