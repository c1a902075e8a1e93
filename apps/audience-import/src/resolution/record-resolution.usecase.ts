import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypes, type EventDataOf } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { importOutcome } from '../imports/import-events';
import { ImportsRepository } from '../imports/imports.repository';
import { isComplete, replaces, RunsRepository } from '../imports/runs.repository';
import { ApplySnapshotUsecase } from '../imports/usecases/apply-snapshot/apply-snapshot.usecase';

/** Stages id-reconciliation's answers per part (once each) and applies a run once it is complete. */
@Injectable()
export class RecordResolutionUsecase {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly runs: RunsRepository,
    private readonly applySnapshot: ApplySnapshotUsecase,
  ) {}

  async answered(tx: EntityManager, answer: EventDataOf<'idrec.resolution.resolved'>): Promise<void> {
    const found = await this.runs.byRequestId(tx, answer.requestId);
    if (!found) return; // not ours (another instance's test data, or a purged run)
    const job = await this.imports.lock(tx, found.importId); // import first, then run: one lock order everywhere
    const run = await this.runs.byRequestId(tx, answer.requestId);
    if (!job || !run || run.state !== 'receiving') return;
    if (!(await this.runs.resolvePart(tx, run.runId, answer.part))) return;
    await this.runs.stageAnswer(tx, run.runId, replaces(run, job), answer.matched, answer.unmatched);
    const updated = await this.runs.noteAnswer(tx, run.runId, answer.matched.length, answer.unmatched.length);
    if (isComplete(updated)) await this.applySnapshot.execute(tx, job);
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
