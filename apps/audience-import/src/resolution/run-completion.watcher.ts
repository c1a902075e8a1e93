import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { runsChannel, RunsRepository } from '../imports/runs.repository';
import { RecordResolutionUsecase } from './record-resolution.usecase';

/** How often runs that look complete are looked for, in case an announcement was missed. */
const SWEEP_MS = 5_000;
/** Pause before a run whose completion failed (a deadlock, the database away) is tried again, doubling up to MAX_RETRY_MS. */
const RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

/**
 * Applies runs once their last answer is staged. Each staged answer announces its run (NOTIFY at
 * commit); the watcher listens on its own connection and, one run at a time, calls
 * `RecordResolutionUsecase.completeIfReady` in a transaction of its own. Every instance listens,
 * and the import's row lock makes one of them apply. Announcements missed (a crash right after
 * a commit, a lost connection) are made up by a sweep at start and every few seconds.
 */
@Injectable()
export class RunCompletionWatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('runs');
  private readonly due = new Set<string>();
  /** Runs whose completion failed: not tried again before `until`. */
  private readonly failing = new Map<string, { until: number; delay: number }>();
  private listener?: Client;
  private listening?: Promise<void>;
  private draining?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunsRepository,
    private readonly recordResolution: RecordResolutionUsecase,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
    void this.sweep();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.listening?.catch(() => undefined);
    await this.closeListener();
    await this.draining;
  }

  /** Listens if not yet (again after a lost connection), then queues every run that looks complete. */
  private async sweep(): Promise<void> {
    if (this.stopped || !this.dataSource.isInitialized) return;
    this.listening ??= this.listen().finally(() => (this.listening = undefined));
    try {
      await this.listening;
      for (const runId of await this.runs.ready(this.dataSource.manager)) this.queue(runId);
    } catch (error) {
      this.logger.warn(`looking for complete runs failed: ${(error as Error).message}`);
    }
  }

  private async listen(): Promise<void> {
    if (this.listener) return;
    const options = this.dataSource.options as { url?: string; schema?: string };
    const client = new Client({ connectionString: options.url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => void this.closeListener());
    client.on('notification', (message) => {
      if (message.payload) this.queue(message.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${runsChannel(options.schema ?? 'public')}`);
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
  }

  private async closeListener(): Promise<void> {
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
  }

  private queue(runId: string): void {
    if (this.stopped || !/^[0-9]{1,18}$/.test(runId)) return;
    if ((this.failing.get(runId)?.until ?? 0) > Date.now()) return;
    this.due.add(runId);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.due.size > 0) {
      const [runId] = this.due;
      this.due.delete(runId);
      try {
        await this.dataSource.transaction((tx) => this.recordResolution.completeIfReady(tx, runId));
        this.failing.delete(runId);
      } catch (error) {
        if (!this.dataSource.isInitialized) return;
        const delay = Math.min((this.failing.get(runId)?.delay ?? RETRY_MS / 2) * 2, MAX_RETRY_MS);
        this.failing.set(runId, { until: Date.now() + delay, delay });
        this.logger.warn(`completing run ${runId} failed, trying again in ${delay / 1000} s: ${(error as Error).message}`);
        setTimeout(() => this.queue(runId), delay + 10).unref();
      }
    }
  }
}
