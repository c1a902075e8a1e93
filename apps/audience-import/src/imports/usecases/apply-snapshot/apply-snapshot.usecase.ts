import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, MAX_CHUNK_IDS } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import type { ImportCounts, ImportRow, RecordedDecision } from '../../import.model';
import { importOutcome, membersChanged } from '../../import-events';
import { ImportsRepository } from '../../imports.repository';
import { isComplete, RunsRepository, type Run } from '../../runs.repository';

/** Runs above this many matched ids get fresh planner statistics before the diff. */
const ANALYZE_ABOVE = 50_000;

/**
 * Applies an import's complete runs in snapshot order. A complete `full` run makes every earlier
 * open run moot (superseded); a delta waits for the runs before it. Only the difference is written
 * and emitted, in chunks of at most 10,000 recipients. The caller holds the import's row lock.
 */
@Injectable()
export class ApplySnapshotUsecase {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly runs: RunsRepository,
  ) {}

  async execute(tx: EntityManager, job: ImportRow): Promise<void> {
    for (;;) {
      const open = await this.runs.open(tx, job.importId);
      if (open.length === 0) return;
      let next: Run | undefined = isComplete(open[0]) ? open[0] : undefined;
      if (!next) {
        const lastFull = open.findLastIndex((run) => run.mode === 'full' && isComplete(run));
        if (lastFull < 0) return;
        for (const earlier of open.slice(0, lastFull)) await this.runs.finish(tx, earlier.runId, 'superseded', `superseded by snapshot ${open[lastFull].seq}`);
        next = open[lastFull];
      }
      await this.apply(tx, job, next);
    }
  }

  private async apply(tx: EntityManager, job: ImportRow, run: Run): Promise<void> {
    if (run.mode === 'full' && job.mode === 'full') {
      await this.runs.applyReplace(tx, run.runId, job.importId, run.matched > ANALYZE_ABOVE);
    } else {
      // A delta adds and removes; a full snapshot into a `delta` import only adds (see README).
      await this.runs.applyMerge(tx, run.runId, job.importId, run.mode === 'delta');
    }
    const changes = await this.runs.changeCounts(tx, run.runId);
    await this.emitChanges(tx, job, run.runId, changes);
    const counts: ImportCounts = {
      received: run.received,
      matched: run.matched,
      unmatched: run.unmatched,
      pending: await this.runs.pendingCount(tx, job.importId),
      added: changes.added,
      removed: changes.removed,
      invalid: run.invalid,
    };
    await this.runs.finish(tx, run.runId, 'applied');
    await this.imports.recordSnapshotApplied(tx, job.importId, counts);
    const decision = (await this.imports.viewOf(tx, job.importId)).decision as RecordedDecision | null;
    await enqueueEvents(tx, [importOutcome(EventTypes.campaignImportCompleted, job.orgId, job, counts, { decision: decision ?? undefined })]);
  }

  /** Added recipients first, then removed ones, numbered as one sequence of parts. */
  private async emitChanges(tx: EntityManager, job: ImportRow, runId: string, changes: { added: number; removed: number }): Promise<void> {
    const lastPart = Math.ceil(changes.added / MAX_CHUNK_IDS) + Math.ceil(changes.removed / MAX_CHUNK_IDS) - 1;
    let part = 0;
    for (const op of ['a', 'r'] as const) {
      let after: string | null = null;
      for (;;) {
        const ids = await this.runs.changes(tx, runId, op, after, MAX_CHUNK_IDS);
        if (ids.length === 0) break;
        after = ids[ids.length - 1];
        const event = op === 'a' ? membersChanged(job.orgId, job, part, part === lastPart, ids, []) : membersChanged(job.orgId, job, part, part === lastPart, [], ids);
        await enqueueEvents(tx, [event]);
        part++;
        if (ids.length < MAX_CHUNK_IDS) break;
      }
    }
  }
}
