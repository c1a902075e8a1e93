import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isImsOrgId } from '@audience-hub/contracts';
import { KnownOrgsService, SERVICE_CONFIG } from '@audience-hub/platform';
import type { ImportConfig } from '../config';
import type { FileOutcome } from './file-report';
import { isRefusal } from './file-refusal';
import { ImportFileUseCase } from './usecases/import-file.usecase';

const SYNC_FILE = /\.sync(\.gz)?$/;

/**
 * Watches IMPORT_INBOX_DIR/<IMS org id>/ for outbound files (the file names carry no org, so the
 * directory does). Each file is claimed by an atomic rename into processing/ (so two instances
 * never take the same one), imported, then moved to processed/ or rejected/ beside its report
 * `<name>.report.json`. Polling rather than fs.watch: it works on every file system and mount.
 */
@Injectable()
export class InboxWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('inbox');
  private timer?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ImportConfig,
    private readonly importFile: ImportFileUseCase,
    private readonly orgs: KnownOrgsService,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.IMPORT_INBOX_DIR) return;
    this.timer = setInterval(() => {
      this.scanning ??= this.scan().finally(() => (this.scanning = undefined));
    }, this.config.IMPORT_INBOX_POLL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.scanning; // the file in hand finishes (its transaction commits or rolls back)
  }

  private async scan(): Promise<void> {
    const root = this.config.IMPORT_INBOX_DIR!;
    try {
      for (const entry of await readdir(root, { withFileTypes: true })) {
        if (!entry.isDirectory() || !isImsOrgId(entry.name)) continue;
        const orgDir = join(root, entry.name);
        for (const name of (await readdir(orgDir)).filter((file) => SYNC_FILE.test(file)).sort()) {
          if (this.stopped) return;
          await this.take(entry.name, orgDir, name);
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn(`inbox scan failed: ${(error as Error).message}`);
    }
  }

  private async take(orgId: string, orgDir: string, name: string): Promise<void> {
    const processing = join(orgDir, 'processing');
    await mkdir(processing, { recursive: true });
    try {
      await rename(join(orgDir, name), join(processing, name));
    } catch {
      return; // another instance claimed it
    }
    const path = join(processing, name);
    let report: FileOutcome;
    try {
      await this.dataSource.transaction((tx) => this.orgs.requireKnown(tx, orgId));
      report = await this.importFile.execute(orgId, name, 'inbox', createReadStream(path));
    } catch (error) {
      const known = isRefusal(error);
      if (!known && !this.stopped) this.logger.error(`file ${name} failed: ${(error as Error).message}`);
      if (!known) {
        await rename(path, join(orgDir, name)).catch(() => undefined); // retried at the next scan
        return;
      }
      report = { name, state: 'refused', reason: (error as Error).message };
    }
    const target = join(orgDir, report.state === 'applied' ? 'processed' : 'rejected');
    await mkdir(target, { recursive: true });
    await writeFile(join(target, `${name}.report.json`), JSON.stringify(report, null, 2));
    await rename(path, join(target, name));
    this.logger.log(`file ${name}: ${report.state}`);
  }
}
