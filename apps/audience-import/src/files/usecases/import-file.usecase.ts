import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { MAX_CHUNK_IDS } from '@audience-hub/contracts';
import { SERVICE_CONFIG } from '@audience-hub/platform';
import type { ImportConfig } from '../../config';
import { DataSourcesRepository } from '../../data-sources/data-sources.repository';
import type { DataSourceCopy } from '../../data-sources/data-source.model';
import { ImportEffectsRepository } from '../../imports/import-effects.repository';
import { ReceiveSnapshotChunkUseCase, type SnapshotChunk } from '../../imports/usecases/receive-snapshot-chunk.usecase';
import { SeenIds } from '../../imports/seen-ids';
import { MAX_REPORTED_ERRORS, type FileOrigin, type FileReport, type LineError } from '../file-report';
import { lineBatches } from '../line-batches';
import { FilesRepository } from '../files.repository';
import { parseOutboundFileName, parseOutboundLine, type OutboundFileName } from '../outbound-file';

export class FileNameError extends Error {}

/** Rolls the file's transaction back: nothing of a refused file is applied. */
class RefusedFile extends Error {
  constructor(readonly report: FileReport) {
    super(report.reason);
  }
}

/** Rolls a dry run's transaction back once its effects are read. */
class DryRunDone extends Error {
  constructor(readonly report: FileReport) {
    super('dry run');
  }
}

/** One audience's share of the file, sent on as snapshot chunks of at most 10,000 ids. */
class AudienceBuffer {
  part = 0;
  added: string[] = [];
  removed: string[] = [];
  invalid = 0;
  get size(): number {
    return this.added.length + this.removed.length;
  }
}

/**
 * Imports an Audience Manager outbound file, streamed line by line (memory bounded by one chunk
 * per audience named): each file is a snapshot of each audience it names (`full` replaces,
 * `iter` is a delta). Everything happens in one transaction, so a file past the error ratio is
 * refused with nothing of it applied, and an applied file is recorded exactly once. A dry run is
 * the same transaction, rolled back once what it would do is read from what it enqueued for
 * Campaign: nothing is written, and the answer is exactly what the file would do now.
 */
@Injectable()
export class ImportFileUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly files: FilesRepository,
    private readonly dataSources: DataSourcesRepository,
    private readonly receiveChunk: ReceiveSnapshotChunkUseCase,
    @Inject(SERVICE_CONFIG) private readonly config: ImportConfig,
    private readonly effects: ImportEffectsRepository,
  ) {}

  async execute(orgId: string, name: string, origin: FileOrigin, body: Readable, options: { gzip?: boolean; dryRun?: boolean } = {}): Promise<FileReport> {
    const fileName = parseOutboundFileName(name);
    if ('error' in fileName) throw new FileNameError(fileName.error);
    const earlier = await this.files.appliedByName(orgId, name);
    if (earlier) {
      body.resume(); // drain: the answer is the earlier report
      return { ...earlier, duplicate: true };
    }
    const ds = await this.dataSources.forDpid(orgId, fileName.dpid);
    const id = `file-${randomBytes(6).toString('hex')}`;
    const input = fileName.gzip || options.gzip ? body.pipe(createGunzip()) : body;
    body.on('error', (error) => input.destroy(error));
    try {
      return await this.dataSource.transaction(async (tx) => {
        const report = await this.stream(tx, orgId, id, name, fileName, ds, input);
        if (options.dryRun) throw new DryRunDone({ ...report, dryRun: true, effects: await this.effects.ofTransaction(tx) });
        await this.files.record(tx, orgId, origin, report);
        return report;
      });
    } catch (error) {
      if (error instanceof DryRunDone) return error.report;
      if (!(error instanceof RefusedFile)) throw error;
      if (options.dryRun) return { ...error.report, dryRun: true };
      await this.files.record(this.dataSource.manager, orgId, origin, error.report);
      return error.report;
    }
  }

  private async stream(tx: EntityManager, orgId: string, id: string, name: string, fileName: OutboundFileName, ds: DataSourceCopy, input: Readable): Promise<FileReport> {
    const audiences = new Map<string, AudienceBuffer>();
    const snapshotKey = `file:${id}`;
    // The whole file is one transaction: it knows every id it resolved into each run.
    const seenIds = new SeenIds();
    // One chunk is applied while the next is parsed and its ids resolved on another connection:
    // the transaction takes one at a time.
    let inFlight: Promise<void> = Promise.resolve();
    const send = async (audienceId: string, buffer: AudienceBuffer, lastPart: boolean): Promise<void> => {
      const chunk: SnapshotChunk = {
        audienceId,
        snapshotKey,
        mode: fileName.mode,
        idType: ds.idType,
        dataSourceId: ds.dataSourceId,
        part: buffer.part,
        lastPart,
        added: buffer.added,
        removed: buffer.removed,
        invalid: lastPart ? buffer.invalid : 0,
        seenIds,
      };
      const ahead = this.receiveChunk.resolveAhead(orgId, chunk);
      await inFlight;
      inFlight = ahead.then((resolved) => this.receiveChunk.execute(tx, orgId, chunk, resolved));
      inFlight.catch(() => undefined); // awaited by the next send or at the end
    };
    const bufferOf = (audienceId: string): AudienceBuffer => {
      let buffer = audiences.get(audienceId);
      if (!buffer) audiences.set(audienceId, (buffer = new AudienceBuffer()));
      return buffer;
    };
    // A full buffer goes out only once more ids follow, so the last chunk can say lastPart.
    const next = async (audienceId: string, buffer: AudienceBuffer): Promise<AudienceBuffer> => {
      await send(audienceId, buffer, false);
      const following = new AudienceBuffer();
      following.part = buffer.part + 1;
      following.invalid = buffer.invalid;
      audiences.set(audienceId, following);
      return following;
    };

    let lines = 0;
    let errorCount = 0;
    const errors: LineError[] = [];
    // Lines are read a chunk at a time; the only awaits are the chunks sent on.
    try {
      for await (const batch of lineBatches(input)) {
        for (const raw of batch) {
          lines++;
          const line = parseOutboundLine(raw, ds.idType);
          if (!line.ok) {
            errorCount++;
            if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line: lines, reason: line.reason });
            for (const audienceId of line.segments ?? []) bufferOf(audienceId).invalid++;
            continue;
          }
          for (const audienceId of line.added) {
            let buffer = bufferOf(audienceId);
            if (buffer.size >= MAX_CHUNK_IDS) buffer = await next(audienceId, buffer);
            buffer.added.push(line.id);
          }
          for (const audienceId of line.removed) {
            let buffer = bufferOf(audienceId);
            if (buffer.size >= MAX_CHUNK_IDS) buffer = await next(audienceId, buffer);
            buffer.removed.push(line.id);
          }
        }
      }
    } catch (error) {
      await inFlight.catch(() => undefined); // the transaction is idle before it rolls back
      throw error;
    }
    await inFlight;
    const report: FileReport = { id, name, state: 'applied', lines, applied: lines - errorCount, errorCount, errors };
    const ratio = lines === 0 ? 1 : errorCount / lines;
    if (lines === 0 || ratio > this.config.IMPORT_MAX_ERROR_RATIO) {
      const reason =
        lines === 0
          ? 'the file has no lines'
          : `${errorCount} of ${lines} lines are malformed (${(ratio * 100).toFixed(2)}% > ${(this.config.IMPORT_MAX_ERROR_RATIO * 100).toFixed(2)}% allowed): nothing of the file was applied`;
      throw new RefusedFile({ ...report, state: 'refused', applied: 0, reason });
    }
    for (const [audienceId, buffer] of audiences) await send(audienceId, buffer, true);
    await inFlight;
    return report;
  }
}
