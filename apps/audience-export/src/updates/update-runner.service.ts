import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { describeError } from '@audience-hub/messaging';
import { InjectConfig, type AudienceExportConfig } from '../config';
import { ExportFilesService } from '../files/export-files.service';
import { SharedAudiencesRepository } from '../shared-audiences/shared-audiences.repository';
import { UpdateOutcomeService } from './update-outcome.service';
import { runnerChannel, UpdatesRepository } from './updates.repository';
import { FinalizeUpdateUsecase } from './usecases/finalize-update.usecase';
import { StartUpdateUsecase } from './usecases/start-update.usecase';

/**
 * Drives update runs from the database, so any instance can carry on after another one crashed:
 * starts pending updates first in their queue, finalizes runs whose resolution is complete, writes
 * planned inbound files and fails runs that stalled. Woken by NOTIFY at commit; polls as fallback.
 */
@Injectable()
export class UpdateRunnerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('update-runner');
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private dirty = true;
  private listener?: Client;

  constructor(
    @InjectConfig() private readonly config: AudienceExportConfig,
    private readonly database: DataSource,
    private readonly updates: UpdatesRepository,
    private readonly audiences: SharedAudiencesRepository,
    private readonly start: StartUpdateUsecase,
    private readonly finalize: FinalizeUpdateUsecase,
    private readonly outcome: UpdateOutcomeService,
    private readonly files: ExportFilesService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.running = true;
    await this.listen().catch((error) => this.logger.warn(`no NOTIFY listener, polling only: ${describeError(error)}`));
    this.loop = this.run();
  }

  /** Finishes the step in hand; what is left resumes from the database at the next start. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  kick(): void {
    this.dirty = true;
    this.wake?.();
  }

  private async listen(): Promise<void> {
    const schema = (this.database.options as { schema?: string }).schema ?? 'public';
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'audience-hub-audience-export-runner' });
    client.on('error', () => undefined);
    client.on('notification', () => this.kick());
    await client.connect();
    await client.query(`LISTEN "${runnerChannel(schema)}"`);
    this.listener = client;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.dirty = false;
      let progressed = false;
      try {
        progressed = await this.step();
      } catch (error) {
        this.logger.error(`update step failed: ${describeError(error)}`);
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
    let moved = (await this.files.writePending()) > 0;
    for (const { orgId, updateId } of await this.updates.finalizable(this.database, 10)) {
      if (!this.running) return false;
      if (await this.finalize.execute(orgId, updateId)) moved = true;
    }
    if ((await this.files.writePending()) > 0) moved = true;
    for (const { orgId, updateId } of await this.updates.startable(this.database, 10)) {
      if (!this.running) return false;
      if (await this.start.execute(orgId, updateId)) moved = true;
    }
    for (const { orgId, updateId } of await this.updates.stalled(this.database, this.config.EXPORT_RESOLUTION_TIMEOUT_MS)) {
      await this.failStalled(orgId, updateId);
      moved = true;
    }
    return moved;
  }

  private async failStalled(orgId: string, updateId: string): Promise<void> {
    await this.database.transaction(async (tx) => {
      const update = await this.updates.lock(tx, orgId, updateId);
      if (update?.state !== 'running') return;
      const audience = await this.audiences.find(tx, orgId, update.sharedAudienceId);
      await this.outcome.fail(tx, update, audience?.version ?? 0, `no answer from id-reconciliation for ${this.config.EXPORT_RESOLUTION_TIMEOUT_MS} ms`);
    });
  }
}
