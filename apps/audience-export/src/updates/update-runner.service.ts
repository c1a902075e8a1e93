import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { describeError } from '@audience-hub/messaging';
import { isDatabaseUnavailable, jitteredBackoffMs, listenerConnection, PgListener, schemaOf } from '@audience-hub/persistence';
import { inSpan, isTracingEnabled } from '@audience-hub/observability';
import { InjectConfig, type AudienceExportConfig } from '../config';
import { ExportFilesService } from '../files/export-files.service';
import { SharedAudiencesRepository } from '../shared-audiences/shared-audiences.repository';
import { UpdateOutcomeService } from './update-outcome.service';
import { runnerChannel, UpdatesRepository, type RunnableUpdate } from './updates.repository';
import { FinalizeUpdateUseCase } from './usecases/finalize-update.usecase';
import { StartUpdateUseCase } from './usecases/start-update.usecase';

/** Longest wait between two attempts at a failing step. */
const MAX_STEP_BACKOFF_MS = 60_000;

type Step = 'start' | 'final step';

/**
 * Drives update runs from the database, so any instance can carry on after another one crashed:
 * starts pending updates first in their queue, runs the final step of running ones and writes
 * planned inbound files. Woken by NOTIFY at commit; polls as fallback.
 * A step that throws is retried with backoff, counted on the update (so a restart continues the
 * count), and fails the update after EXPORT_STEP_MAX_ATTEMPTS; a database outage is no attempt.
 * One update's failing step never holds up the others.
 */
@Injectable()
export class UpdateRunnerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('update-runner');
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private dirty = true;
  private listener?: PgListener;

  constructor(
    @InjectConfig() private readonly config: AudienceExportConfig,
    private readonly database: DataSource,
    private readonly updates: UpdatesRepository,
    private readonly audiences: SharedAudiencesRepository,
    private readonly start: StartUpdateUseCase,
    private readonly finalize: FinalizeUpdateUseCase,
    private readonly outcome: UpdateOutcomeService,
    private readonly files: ExportFilesService,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.listen();
    this.loop = this.run();
  }

  /** Finishes the step in hand; what is left resumes from the database at the next start. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.close();
  }

  kick(): void {
    this.dirty = true;
    this.wake?.();
  }

  /** Kicks the runner at each NOTIFY, and once after each (re)connect for what was sent while away. */
  private listen(): void {
    this.listener = new PgListener({
      connection: listenerConnection(this.database, 'runner'),
      channels: [runnerChannel(schemaOf(this.database))],
      onNotify: () => this.kick(),
      onListening: () => this.kick(),
      onError: (error, retryInMs) => this.logger.warn(`NOTIFY listener down, polling until it reconnects in ${retryInMs} ms: ${describeError(error)}`),
    });
    this.listener.start();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.dirty = false;
      let progressed = false;
      try {
        progressed = await this.step();
      } catch (error) {
        // Each update's own failures are handled in attempt(); what stops a whole pass is mostly a
        // database outage, which no update is charged for: the pass runs again at the next poll.
        if (isDatabaseUnavailable(error)) this.logger.warn(`database unavailable, update runner waiting: ${describeError(error)}`);
        else this.logger.error(`update runner pass failed: ${describeError(error)}`);
      }
      if (!this.running) break;
      if (progressed || this.dirty) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.EXPORT_RUNNER_POLL_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One pass over the work; true when something moved (so look again at once). */
  private async step(): Promise<boolean> {
    let moved = await this.writeFiles();
    for (const update of await this.updates.finalizable(this.database, 10)) {
      if (!this.running) return false;
      if (await this.attempt('final step', update, () => this.finalize.execute(update.orgId, update.updateId))) moved = true;
    }
    if (await this.writeFiles()) moved = true;
    for (const update of await this.updates.startable(this.database, 10)) {
      if (!this.running) return false;
      if (await this.attempt('start', update, () => this.start.execute(update.orgId, update.updateId))) moved = true;
    }
    return moved;
  }

  /**
   * Runs one update's step; true when it moved. When the step throws (anything but a database
   * outage, which propagates and is no attempt), the failure is counted on the update: the update
   * fails with the reason at EXPORT_STEP_MAX_ATTEMPTS, else the step waits its backoff.
   * With tracing on, the step is a span of the trace of the request that asked for the update.
   */
  private attempt(step: Step, update: RunnableUpdate, work: () => Promise<boolean>): Promise<boolean> {
    const run = () => this.attemptStep(step, update.orgId, update.updateId, work);
    if (!isTracingEnabled()) return run();
    return inSpan(`export update ${step}`, { traceparents: [update.traceparent], attributes: { 'audience_hub.update_id': update.updateId } }, run);
  }

  private async attemptStep(step: Step, orgId: string, updateId: string, work: () => Promise<boolean>): Promise<boolean> {
    try {
      return await work();
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      try {
        return await this.recordFailure(step, orgId, updateId, error);
      } catch (failure) {
        if (isDatabaseUnavailable(failure)) throw failure;
        this.logger.error(`${step} of update ${updateId} failed and could not be recorded: ${describeError(failure)} (step: ${describeError(error)})`);
        return false;
      }
    }
  }

  /** True when the failure ended the update (the next one of its shared audience may start). */
  private async recordFailure(step: Step, orgId: string, updateId: string, error: unknown): Promise<boolean> {
    const max = this.config.EXPORT_STEP_MAX_ATTEMPTS;
    return this.database.transaction(async (tx): Promise<boolean> => {
      const update = await this.updates.lock(tx, orgId, updateId);
      if (update?.state !== (step === 'start' ? 'pending' : 'running')) return false; // it moved on meanwhile
      const attempts = update.stepAttempts + 1;
      if (attempts < max) {
        const backoff = jitteredBackoffMs(attempts - 1, { minMs: this.config.EXPORT_STEP_RETRY_BACKOFF_MS, maxMs: MAX_STEP_BACKOFF_MS });
        this.logger.warn(`${step} of update ${updateId} failed (attempt ${attempts} of ${max}), retrying in ${backoff} ms: ${describeError(error)}`);
        await this.updates.recordFailedAttempts(tx, update, attempts, backoff);
        return false;
      }
      const reason = `${step} failed ${attempts} times: ${describeError(error)}`;
      this.logger.error(`update ${updateId} failed: ${reason}`);
      await this.updates.recordFailedAttempts(tx, update, attempts);
      const audience = await this.audiences.find(tx, orgId, update.sharedAudienceId);
      await this.outcome.fail(tx, update, audience?.version ?? 0, reason);
      return true;
    });
  }

  /** Writes the planned inbound files; a file that cannot be written waits for the next pass without holding up the runs. */
  private async writeFiles(): Promise<boolean> {
    try {
      return (await this.files.writePending()) > 0;
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      this.logger.error(`inbound files not written, retrying: ${describeError(error)}`);
      return false;
    }
  }
}
