import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { exportFileDeliveryFailures, exportFilesUndelivered, sampleOnScrape } from '@audience-hub/observability';
import { isDatabaseUnavailable, jitteredBackoffMs } from '@audience-hub/persistence';
import { openFileTransport, type DataSourceDefinition, type FileTransport } from '@audience-hub/platform';
import { InjectConfig, type AudienceExportConfig } from '../config';
import { SharedAudiencesRepository } from '../shared-audiences/shared-audiences.repository';
import { ExportedMembersRepository } from '../updates/exported-members.repository';
import { ExportFilesRepository, type ExportFileRow } from './export-files.repository';
import { dpidOf, inboundFileName, inboundLine, splitPlan } from './inbound-file';
import { deliveryLocationOf, sinkLocation } from './delivery-locations';
import { writeInboundFile } from './inbound-file-writer';

/** A failing delivery is retried at most this far apart, for as long as it takes. */
const MAX_DELIVERY_BACKOFF_MS = 5 * 60_000;

/**
 * Audience Manager inbound files, delivered to each data source's location (S3, SFTP or a
 * directory; delivery-locations.ts): a version's files are planned (names and location fixed) in
 * the run's transaction and written from the database after it commits, so a crash between the
 * two only delays them; rewriting a file gives the same bytes. A delivery that fails is retried
 * with backoff until it succeeds, its attempts and last error kept on the file (the update shows
 * them) and counted.
 */
@Injectable()
export class ExportFilesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('export-files');
  private readonly transports = new Map<string, FileTransport>();
  private unregister?: () => void;

  constructor(
    @InjectConfig() private readonly config: AudienceExportConfig,
    private readonly database: DataSource,
    private readonly files: ExportFilesRepository,
    private readonly members: ExportedMembersRepository,
    private readonly audiences: SharedAudiencesRepository,
  ) {}

  onApplicationBootstrap(): void {
    // Every configured location is opened at start-up: one that cannot work stops the service with the reason.
    for (const ofOrg of Object.values(this.config.EXPORT_DELIVERY_LOCATIONS)) for (const url of Object.values(ofOrg)) this.transport(url);
    this.unregister = sampleOnScrape('export-files-undelivered', async () => exportFilesUndelivered.set(await this.files.undeliveredCount(this.database)));
  }

  async onModuleDestroy(): Promise<void> {
    this.unregister?.();
    await Promise.all([...this.transports.values()].map((transport) => transport.close()));
  }

  /** Plans the files of one version's change of `lineCount` lines (one line per id: the 200-line rule holds). */
  async plan(
    tx: EntityManager,
    update: { orgId: string; id: string; sharedAudienceId: string },
    dataSource: DataSourceDefinition,
    version: number,
    lineCount: number,
  ): Promise<void> {
    const location = deliveryLocationOf(this.config, update.orgId, dataSource.dataSourceId);
    if (!location) return;
    const dpid = dpidOf(dataSource);
    const epoch = await this.files.nextEpoch(tx, dpid, Math.floor(Date.now() / 1000));
    // The first version is the audience's whole content: it replaces what XC holds.
    const kind = version === 1 ? 'overwrite' : 'sync';
    for (const slice of splitPlan(lineCount, this.config.EXPORT_FILE_MAX_LINES)) {
      await this.files.insert(tx, {
        name: inboundFileName({ dpid, epochSeconds: epoch, kind, split: slice.split }),
        orgId: update.orgId,
        updateId: update.id,
        sharedAudienceId: update.sharedAudienceId,
        version,
        dpid,
        epoch,
        split: slice.split ?? 0,
        firstLine: slice.firstLine,
        lineCount: slice.lineCount,
        location,
      });
    }
  }

  /** Delivers the planned files that are due; returns how many it delivered. */
  async writePending(): Promise<number> {
    let delivered = 0;
    for (const file of await this.files.due(this.database, 50)) {
      const location = file.location ?? sinkLocation(this.config);
      if (!location) continue; // planned for a sink directory no longer configured: kept until it is again
      try {
        await this.write(this.transport(location), file);
      } catch (error) {
        if (isDatabaseUnavailable(error)) throw error;
        const attempts = file.attempts + 1;
        const backoff = jitteredBackoffMs(attempts - 1, { minMs: this.config.EXPORT_DELIVERY_RETRY_BACKOFF_MS, maxMs: MAX_DELIVERY_BACKOFF_MS });
        exportFileDeliveryFailures.inc();
        this.logger.warn(`${file.name} not delivered to ${location} (attempt ${attempts}), retrying in ${backoff} ms: ${(error as Error).message}`);
        await this.files.recordFailure(this.database, file.name, attempts, (error as Error).message, backoff);
        continue;
      }
      await this.files.markWritten(this.database, file.name);
      delivered++;
      this.logger.log(`delivered ${file.name} (${file.lineCount} lines) to ${location}`);
    }
    return delivered;
  }

  private transport(location: string): FileTransport {
    let transport = this.transports.get(location);
    if (!transport) this.transports.set(location, (transport = openFileTransport(location)));
    return transport;
  }

  private async write(transport: FileTransport, file: ExportFileRow): Promise<void> {
    await this.database.transaction('REPEATABLE READ', async (tx) => {
      const audience = await this.audiences.find(tx, file.orgId, file.sharedAudienceId);
      if (!audience) throw new Error(`shared audience ${file.sharedAudienceId} vanished`);
      const segment = [audience.segmentId];
      const members = this.members;
      async function* lines(): AsyncGenerator<string> {
        let index = 0;
        const end = file.firstLine + file.lineCount;
        for await (const page of members.changes(tx, file.orgId, file.sharedAudienceId, file.version, 10_000)) {
          for (const id of page.ids) {
            if (index >= file.firstLine && index < end) yield page.kind === 'added' ? inboundLine(id, segment) : inboundLine(id, [], segment);
            index++;
          }
          if (index >= end) return;
        }
      }
      await writeInboundFile(transport, file.name, lines());
    });
  }
}
