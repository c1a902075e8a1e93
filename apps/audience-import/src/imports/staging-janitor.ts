import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReceivedSnapshotsRepository } from './received-snapshots.repository';
import { RunsRepository } from './runs.repository';

/**
 * Drops the staged ids of finished runs, and the ids of superseded snapshots (each audience's kept
 * one stays), in the background, so applying a snapshot never waits for it.
 */
@Injectable()
export class StagingJanitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('staging');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunsRepository,
    private readonly receivedSnapshots: ReceivedSnapshotsRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep().finally(() => (this.running = undefined));
    }, 2_000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async sweep(): Promise<void> {
    try {
      while (this.timer && (await this.dataSource.transaction((tx) => this.runs.purgeSomeFinished(tx))));
      while (this.timer && (await this.dataSource.transaction((tx) => this.receivedSnapshots.purgeSomeSuperseded(tx))));
    } catch (error) {
      if (this.dataSource.isInitialized) this.logger.warn(`staging purge failed: ${(error as Error).message}`);
    }
  }
}
