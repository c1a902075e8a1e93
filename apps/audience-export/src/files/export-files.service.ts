import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DataSourceDefinition } from '@audience-hub/platform';
import { InjectConfig, type AudienceExportConfig } from '../config';
import { SharedAudiencesRepository } from '../shared-audiences/shared-audiences.repository';
import { ExportedMembersRepository } from '../updates/exported-members.repository';
import { ExportFilesRepository, type ExportFileRow } from './export-files.repository';
import { dpidOf, inboundFileName, inboundLine, splitPlan } from './inbound-file';
import { writeInboundFile } from './inbound-file-writer';

/**
 * Audience Manager inbound files for the file sink (EXPORT_FILE_SINK_DIR): a version's files are
 * planned (names fixed) in the run's transaction and written from the database after it commits,
 * so a crash between the two only delays them; rewriting a file gives the same bytes.
 */
@Injectable()
export class ExportFilesService {
  private readonly logger = new Logger('export-files');

  constructor(
    @InjectConfig() private readonly config: AudienceExportConfig,
    private readonly database: DataSource,
    private readonly files: ExportFilesRepository,
    private readonly members: ExportedMembersRepository,
    private readonly audiences: SharedAudiencesRepository,
  ) {}

  get enabled(): boolean {
    return this.config.EXPORT_FILE_SINK_DIR !== undefined;
  }

  /** Plans the files of one version's change of `lineCount` lines (one line per id: the 200-line rule holds). */
  async plan(
    tx: EntityManager,
    update: { orgId: string; id: string; sharedAudienceId: string },
    dataSource: DataSourceDefinition,
    version: number,
    lineCount: number,
  ): Promise<void> {
    if (!this.enabled) return;
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
      });
    }
  }

  /** Writes every planned file not written yet; returns how many it wrote. */
  async writePending(): Promise<number> {
    const dir = this.config.EXPORT_FILE_SINK_DIR;
    if (!dir) return 0;
    const pending = await this.files.unwritten(this.database, 50);
    for (const file of pending) {
      await this.write(dir, file);
      await this.files.markWritten(this.database, file.name);
      this.logger.log(`wrote ${file.name} (${file.lineCount} lines)`);
    }
    return pending.length;
  }

  private async write(dir: string, file: ExportFileRow): Promise<void> {
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
      await writeInboundFile(dir, file.name, lines());
    });
  }
}
