import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, MAX_CHUNK_IDS, type AnyHubEvent } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { recordImportRun } from '@audience-hub/observability';
import { afterCommit } from '@audience-hub/persistence';
import type { ImportRow } from '../import.model';
import { importOutcome, membersChanged } from '../import-events';
import { DataSourcesRepository } from '../../data-sources/data-sources.repository';
import { ImportsRepository } from '../imports.repository';
import { isComplete, replaces, RunsRepository, type Run, type RunChanges } from '../runs.repository';

/** Runs above this many matched ids get fresh planner statistics before they are diffed. */
const LARGE_RUN = 50_000;
/** members-changed parts written to the outbox per statement (10 parts: at most 100,000 recipients, a few MB). */
const CHANGES_PER_INSERT = 10;

/**
 * Applies an import's complete runs in snapshot order. A complete `full` run makes every earlier
 * open run moot (superseded); a delta waits for the runs before it. Only the difference is written
 * and emitted, in chunks of at most 10,000 recipients. The caller holds the org's graph lock
 * (shared) and the import's row lock: the run's ids, resolved as its chunks arrived and moved by
 * every link change since, are resolved against the replica as it is now.
 */
@Injectable()
export class ApplySnapshotUseCase {
  private readonly logger = new Logger('apply-snapshot');

  constructor(
    private readonly imports: ImportsRepository,
    private readonly runs: RunsRepository,
    private readonly dataSources: DataSourcesRepository,
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
    if (!(await this.dataSources.find(job.orgId, job.dataSourceId, tx))) {
      // Deleted while the snapshot arrived: its ids cannot be resolved, and the list is left as it was.
      const reason = `data source ${job.dataSourceId} was deleted before the snapshot was complete`;
      await this.runs.finish(tx, run.runId, 'failed', reason);
      await this.imports.setState(tx, job.importId, 'failed', reason);
      afterCommit(tx, () => recordImportRun('failed'));
      await enqueueEvents(tx, [importOutcome(EventTypes.campaignImportFailed, job.orgId, job, (await this.imports.viewOf(tx, job.importId)).counts, { reason })]);
      return;
    }
    // The run's ids were resolved as its chunks arrived (and kept current by late links since).
    const started = Date.now();
    let runChanges: RunChanges;
    if (replaces(run, job)) {
      // The run's matched ids were staged as its own members: only the difference is read, and the list switched.
      const previous = await this.runs.membersRun(tx, job.importId);
      runChanges = await this.runs.openReplaceCursors(tx, run.runId, previous, run.matched > LARGE_RUN);
      await this.runs.applyReplace(tx, run.runId, job.importId, previous);
    } else {
      // A delta adds and removes; a full snapshot into a `delta` import only adds (see README).
      await this.runs.applyMerge(tx, run.runId, job.importId, run.mode === 'delta');
      runChanges = await this.runs.openMergeCursors(tx, run.runId, run.received <= MAX_CHUNK_IDS);
    }
    const diffed = Date.now();
    const changes = await this.emitChanges(tx, job, runChanges);
    await runChanges.adds.close();
    await runChanges.removes.close();
    this.logger.log(
      `run ${run.runId} of import ${job.importId} applied: ${run.matched} matched, ${run.unmatched} unmatched, ${changes.added} added, ${changes.removed} removed; ` +
        `list switched in ${diffed - started} ms, changes read and enqueued in ${Date.now() - diffed} ms`,
    );
    await this.runs.finish(tx, run.runId, 'applied');
    const { counts, decision } = await this.imports.recordSnapshotApplied(tx, job.importId, {
      received: run.received,
      matched: run.matched,
      unmatched: run.unmatched,
      added: changes.added,
      removed: changes.removed,
      invalid: run.invalid,
    });
    const seconds = (Date.now() - run.createdAt.getTime()) / 1000;
    afterCommit(tx, () => recordImportRun('completed', { seconds, received: run.received, matched: run.matched, unmatched: run.unmatched }));
    await enqueueEvents(tx, [importOutcome(EventTypes.campaignImportCompleted, job.orgId, job, counts, { decision: decision ?? undefined })]);
  }

  /**
   * Added recipients first, then removed ones, as one sequence of parts of at most 10,000; one
   * chunk is held back so the last can say lastPart. Nothing is emitted when nothing changed.
   * Parts go to the outbox CHANGES_PER_INSERT at a time (one statement, one NOTIFY).
   */
  private async emitChanges(tx: EntityManager, job: ImportRow, runChanges: RunChanges): Promise<{ added: number; removed: number }> {
    const counts = { added: 0, removed: 0 };
    let part = 0;
    let held: { op: 'added' | 'removed'; ids: string[] } | undefined;
    let pending: AnyHubEvent[] = [];
    const emit = async (chunk: { op: 'added' | 'removed'; ids: string[] }, lastPart: boolean) => {
      const [added, removed] = chunk.op === 'added' ? [chunk.ids, []] : [[], chunk.ids];
      pending.push(membersChanged(job.orgId, job, part++, lastPart, added, removed));
      if (pending.length < CHANGES_PER_INSERT && !lastPart) return;
      const batch = pending;
      pending = [];
      await enqueueEvents(tx, batch);
    };
    // The next FETCH is sent before a chunk's event is built: Postgres reads while Node serializes.
    const fetch = (cursor: RunChanges['adds']) => {
      const next = cursor.fetch(MAX_CHUNK_IDS).then((rows) => rows.map((row) => row.recipient_id));
      next.catch(() => undefined); // awaited below
      return next;
    };
    for (const [op, cursor] of [
      ['added', runChanges.adds],
      ['removed', runChanges.removes],
    ] as const) {
      let next = fetch(cursor);
      for (;;) {
        const ids = await next;
        if (ids.length === 0) break;
        next = fetch(cursor);
        counts[op] += ids.length;
        if (held) await emit(held, false);
        held = { op, ids };
      }
    }
    if (held) await emit(held, true);
    return counts;
  }
}
