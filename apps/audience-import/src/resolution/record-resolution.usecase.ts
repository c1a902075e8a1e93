import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, type EventDataOf } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { importOutcome } from '../imports/import-events';
import { ImportsRepository } from '../imports/imports.repository';
import { isComplete, replaces, RunsRepository } from '../imports/runs.repository';
import { ApplySnapshotUsecase } from '../imports/usecases/apply-snapshot/apply-snapshot.usecase';

/**
 * Stages id-reconciliation's answers per part (once each) and applies a run once it is complete.
 *
 * Answers come back on several partitions at once, and staging one is the costly step (10,000
 * rows), so it takes neither the import's row lock nor the run's row: the part is claimed with its
 * counts (its run_parts row stays locked until commit, so a redelivered answer of the same part
 * waits and then finds it answered), the ids are staged, and the run is announced (NOTIFY, sent at
 * commit). The transaction that stages the last answer cannot tell it is the last (the others may
 * not have committed yet), so completion is decided after commit, in a transaction of its own
 * (`completeIfReady`, run by the RunCompletionWatcher): import locked, then run, as everywhere.
 */
@Injectable()
export class RecordResolutionUsecase {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly runs: RunsRepository,
    private readonly applySnapshot: ApplySnapshotUsecase,
  ) {}

  async answered(tx: EntityManager, answer: EventDataOf<'idrec.resolution.resolved'>): Promise<void> {
    const run = await this.runs.byRequestId(tx, answer.requestId);
    if (!run || run.state !== 'receiving') return; // not ours (another instance's test data, or a purged run), or finished
    const job = await this.imports.find(tx, run.importId); // its mode is all staging needs, and it never changes
    if (!job) return;
    if (!(await this.runs.claimPart(tx, run.runId, answer.part, answer.matched.length, answer.unmatched.length))) return;
    // Read again with the part claimed: a run superseded or failed meanwhile gets nothing more staged
    // (the staging janitor waits for claimed parts before it marks a run purged).
    if ((await this.runs.stateOf(tx, run.runId)) !== 'receiving') return;
    await this.runs.stageAnswer(tx, run.runId, replaces(run, job), answer.matched, answer.unmatched);
    await this.runs.announceAnswered(tx, run.runId);
  }

  /**
   * After an answer of the run committed: applies it (and the runs waiting behind it) if every part
   * arrived and was answered by now. Any number of calls, from any instance, apply it once.
   */
  async completeIfReady(tx: EntityManager, runId: string): Promise<void> {
    const found = await this.runs.byId(tx, runId);
    if (!found || !isComplete(found)) return;
    const job = await this.imports.lock(tx, found.importId);
    const run = await this.runs.byId(tx, runId);
    if (job && run && isComplete(run)) await this.applySnapshot.execute(tx, job);
  }

  /** id-reconciliation refused a request (unknown org or data source): the snapshot fails with its reason. */
  async rejected(tx: EntityManager, requestEventId: string, reason: string): Promise<void> {
    const found = await this.runs.byRequestEvent(tx, requestEventId);
    if (!found) return;
    const job = await this.imports.lock(tx, found.importId);
    const run = await this.runs.byRequestEvent(tx, requestEventId);
    if (!job || !run || run.state !== 'receiving') return;
    const why = `id-reconciliation rejected the resolution request: ${reason}`;
    await this.runs.finish(tx, run.runId, 'failed', why);
    await this.imports.setState(tx, job.importId, 'failed', why);
    const view = await this.imports.viewOf(tx, job.importId);
    await enqueueEvents(tx, [importOutcome(EventTypes.campaignImportFailed, job.orgId, job, view.counts, { reason: why })]);
    // Runs waiting behind the failed one may go on.
    await this.applySnapshot.execute(tx, job);
  }
}
