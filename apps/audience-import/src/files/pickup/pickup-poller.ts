import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { filePickups } from '@audience-hub/observability';
import { KnownOrgsService, openFileTransport, SERVICE_CONFIG, type FileTransport } from '@audience-hub/platform';
import type { ImportConfig } from '../../config';
import { PickUpFileUseCase } from '../usecases/pick-up-file.usecase';
import { deleteExpired } from './pickup-retention';
import { SettledFiles } from './settled-files';

interface PickupLocation {
  orgId: string;
  transport: FileTransport;
  settled: SettledFiles;
  sweptAt: number;
}

/** Old files are looked for at most this often: listing a bucket on every poll costs requests. */
const SWEEP_EVERY_MS = 60_000;

/**
 * Polls each org's pickup location (IMPORT_PICKUP_LOCATIONS) every IMPORT_PICKUP_POLL_MS, takes
 * the files that have settled, and deletes processed/ and rejected/ files past the retention. A
 * location that fails (unreachable, wrong credentials) is logged and counted, and tried again at
 * the next poll; the others go on.
 */
@Injectable()
export class PickupPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('pickup');
  private readonly locations: PickupLocation[];
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ImportConfig,
    private readonly pickUp: PickUpFileUseCase,
    private readonly orgs: KnownOrgsService,
    private readonly dataSource: DataSource,
  ) {
    // Opened at start-up: a location that cannot work stops the service with the reason.
    this.locations = Object.entries(config.IMPORT_PICKUP_LOCATIONS).map(([orgId, url]) => ({ orgId, transport: openFileTransport(url), settled: new SettledFiles(), sweptAt: 0 }));
  }

  onApplicationBootstrap(): void {
    if (this.locations.length === 0) return;
    this.timer = setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, this.config.IMPORT_PICKUP_POLL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.polling; // the file in hand finishes (its transaction commits or rolls back)
    await Promise.all(this.locations.map((location) => location.transport.close()));
  }

  private async poll(): Promise<void> {
    for (const location of this.locations) {
      if (this.stopped) return;
      try {
        await this.pollLocation(location);
      } catch (error) {
        if (!this.stopped) this.logger.warn(`pickup from ${location.transport.location} failed: ${(error as Error).message}`);
      }
    }
  }

  private async pollLocation(location: PickupLocation): Promise<void> {
    const known = await this.dataSource
      .transaction((tx) => this.orgs.requireKnown(tx, location.orgId))
      .then(
        () => true,
        () => false,
      );
    if (!known) return; // not announced by the IMS yet: its files wait
    for (const entry of location.settled.settle(await location.transport.list())) {
      if (this.stopped) return;
      try {
        const result = await this.pickUp.execute(location.orgId, location.transport, entry);
        if (result === 'applied' || result === 'refused') {
          filePickups.labels(result).inc();
          this.logger.log(`${entry.name} from ${location.transport.location}: ${result}`);
        }
      } catch (error) {
        filePickups.labels('failed').inc();
        throw error; // the rest of this location waits for the next poll
      }
    }
    if (Date.now() - location.sweptAt >= Math.min(SWEEP_EVERY_MS, this.retentionMs)) {
      location.sweptAt = Date.now();
      const deleted = await deleteExpired(location.transport, this.retentionMs);
      if (deleted > 0) this.logger.log(`deleted ${deleted} files past retention from ${location.transport.location}`);
    }
  }

  private get retentionMs(): number {
    return this.config.IMPORT_PICKUP_RETENTION_HOURS * 3_600_000;
  }
}
