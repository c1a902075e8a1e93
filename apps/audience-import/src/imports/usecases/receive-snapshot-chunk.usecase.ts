import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { EventTypes, idNamespaceOf, normalizeIncoming, type IdType } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { recordImportRun } from '@audience-hub/observability';
import { afterCommit } from '@audience-hub/persistence';
import { SuppressionsRepository } from '@audience-hub/platform';
import { CatalogRepository } from '../../catalog/catalog.repository';
import { DataSourcesRepository } from '../../data-sources/data-sources.repository';
import type { DataSourceCopy } from '../../data-sources/data-source.model';
import { decideImport } from '../../policies/governance';
import { PoliciesRepository } from '../../policies/policies.repository';
import type { ImportMode, ImportRow } from '../import.model';
import { importOutcome, NO_COUNTS } from '../import-events';
import { ImportsRepository } from '../imports.repository';
import { lockGraphShared } from '../graph-lock';
import { isComplete, replaces, requestIdOf, RunsRepository, type ResolvedAhead, type Run } from '../runs.repository';
import { ReceivedSnapshotsRepository } from '../received-snapshots.repository';
import { ApplySnapshotUseCase } from './apply-snapshot.usecase';
import type { SeenIds } from '../seen-ids';

/** One chunk of one audience's snapshot, from an `xc.audience.members` event or a file. */
export interface SnapshotChunk {
  audienceId: string;
  /** Unique per snapshot: `xc:<snapshotId>` or `file:<fileId>`. */
  snapshotKey: string;
  mode: ImportMode;
  idType: IdType;
  /** The data source the ids belong to, when the producer says. */
  dataSourceId?: string;
  part: number;
  lastPart: boolean;
  /** At most 10,000 ids together. */
  added: string[];
  removed: string[];
  /** Records of this chunk with no usable id. */
  invalid?: number;
  /**
   * The ids the caller's transaction resolved into runs before (a file's earlier chunks), when it
   * keeps track: ids never seen are inserted without checking the run for them.
   */
  seenIds?: SeenIds;
  /** The audience's kept snapshot sent again by a dry run: not kept a second time. */
  replayed?: true;
}

/** A chunk's added ids as one data source's normalization made them, distinct and in key order, resolved ahead. */
interface IdsResolvedAhead {
  normalization: string;
  ids: string[];
  resolved: ResolvedAhead;
}

/** A chunk's added ids resolved ahead of its transaction (ReceiveSnapshotChunkUseCase.resolveAhead), by data source. */
export type ChunkResolvedAhead = ReadonlyMap<string, IdsResolvedAhead>;

/**
 * Records a received chunk for every open import of its audience, in the caller's transaction:
 * the first chunk of a snapshot opens a run and takes the governance decision (a denial writes
 * nothing); added ids are resolved against the replica of the identity graph at once, under the
 * org's graph lock (taken first, see graph-lock.ts), and removed ids are staged. A (snapshot, part)
 * seen before changes nothing. The chunk that completes a run applies it at once. A full
 * snapshot's ids, as received, are kept for the audience too (ReceivedSnapshotsRepository) when an
 * import took the chunk: what a dry run sends again later.
 */
@Injectable()
export class ReceiveSnapshotChunkUseCase {
  private readonly logger = new Logger('imports');

  constructor(
    private readonly dataSource: DataSource,
    private readonly imports: ImportsRepository,
    private readonly runs: RunsRepository,
    private readonly catalog: CatalogRepository,
    private readonly dataSources: DataSourcesRepository,
    private readonly policies: PoliciesRepository,
    private readonly applySnapshot: ApplySnapshotUseCase,
    private readonly suppressions: SuppressionsRepository,
    private readonly receivedSnapshots: ReceivedSnapshotsRepository,
  ) {}

  /**
   * `ahead`: the chunk's ids resolved while the caller's transaction was busy with the previous
   * chunk (resolveAhead), used where the import's data source normalizes as it did then.
   */
  async execute(tx: EntityManager, orgId: string, chunk: SnapshotChunk, ahead?: ChunkResolvedAhead): Promise<void> {
    await lockGraphShared(tx, orgId);
    let taken = false;
    for (const job of await this.imports.lockOpenForAudience(tx, orgId, chunk.audienceId)) {
      if (chunk.dataSourceId !== undefined && chunk.dataSourceId !== job.dataSourceId) continue;
      const ds = await this.dataSources.find(orgId, job.dataSourceId, tx);
      if (ds && ds.idType !== chunk.idType) continue; // ids of another kind: for another import of the audience
      const run = await this.runFor(tx, job, chunk, ds);
      if (run.state !== 'receiving') continue;
      taken = true;
      await this.record(tx, job, run, ds ? normalized(chunk, ds) : chunk, ds && aheadFor(ahead, ds));
    }
    if (taken && chunk.mode === 'full' && !chunk.replayed) await this.receivedSnapshots.keepChunk(tx, orgId, chunk);
  }

  /**
   * Resolves the chunk's added ids against the replica, on a connection of its own, for each data
   * source an open import of the audience reads them with: work a caller can do while its
   * transaction still applies the previous chunk (on one connection, chunks go one at a time).
   * Only a hint: `execute` uses it if the org's graph did not change since (RunsRepository), and
   * reads the replica itself otherwise, so a failure here gives no hint rather than an error.
   * A chunk of fewer than `fromIds` ids (a delta) is not worth a statement of its own: none.
   */
  async resolveAhead(orgId: string, chunk: SnapshotChunk, { fromIds = RESOLVE_AHEAD_FROM } = {}): Promise<ChunkResolvedAhead> {
    const ahead = new Map<string, IdsResolvedAhead>();
    if (chunk.added.length === 0 || chunk.added.length < fromIds) return ahead;
    const db = this.dataSource.manager;
    try {
      for (const job of await this.imports.openForAudience(db, orgId, chunk.audienceId)) {
        if ((chunk.dataSourceId !== undefined && chunk.dataSourceId !== job.dataSourceId) || ahead.has(job.dataSourceId)) continue;
        const ds = await this.dataSources.find(orgId, job.dataSourceId, db);
        if (!ds || ds.idType !== chunk.idType) continue;
        const ids = distinctInKeyOrder(normalized(chunk, ds).added);
        ahead.set(ds.dataSourceId, { normalization: normalizationKey(ds), ids, resolved: await this.runs.resolveAhead(db, job, ids) });
      }
    } catch (error) {
      // The transaction reads the replica itself (and meets the same outage, if it was one).
      this.logger.warn(`chunk ${chunk.part} of ${chunk.snapshotKey} not resolved ahead: ${(error as Error).message}`);
      return new Map();
    }
    return ahead;
  }

  private async runFor(tx: EntityManager, job: ImportRow, chunk: SnapshotChunk, ds: DataSourceCopy | undefined): Promise<Run> {
    const existing = await this.runs.find(tx, job.importId, chunk.snapshotKey);
    if (existing) return existing;
    const seq = await this.imports.nextRunSeq(tx, job.importId);
    const create = (state: Run['state']) =>
      this.runs.create(tx, { importId: job.importId, seq, snapshotKey: chunk.snapshotKey, mode: chunk.mode, requestId: requestIdOf(job.importId, seq), state });
    if (!ds) {
      const reason = `data source ${job.dataSourceId} no longer exists`;
      const run = await create('failed');
      await this.imports.setState(tx, job.importId, 'failed', reason);
      afterCommit(tx, () => recordImportRun('failed'));
      await enqueueEvents(tx, [importOutcome(EventTypes.campaignImportFailed, job.orgId, job, (await this.imports.viewOf(tx, job.importId)).counts, { reason })]);
      return run;
    }
    const audience = await this.catalog.find(job.orgId, job.audienceId, tx);
    const decision = decideImport({
      audienceId: job.audienceId,
      labels: audience?.labels ?? [],
      policy: await this.policies.of(job.orgId, 'import-into-campaign', tx),
      dataSource: ds,
    });
    await this.imports.recordDecision(tx, job.importId, seq, decision);
    if (!decision.allowed) {
      // The list is left as it was; the import stays open, so a later snapshot is judged afresh.
      const run = await create('denied');
      await this.imports.setState(tx, job.importId, 'denied', decision.reason ?? null);
      afterCommit(tx, () => recordImportRun('denied'));
      await enqueueEvents(tx, [importOutcome(EventTypes.campaignImportDenied, job.orgId, job, NO_COUNTS, { reason: decision.reason, decision })]);
      return run;
    }
    await this.imports.setState(tx, job.importId, 'running');
    return create('receiving');
  }

  private async record(tx: EntityManager, job: ImportRow, run: Run, chunk: SnapshotChunk, ahead?: IdsResolvedAhead): Promise<void> {
    // A full snapshot is a set: its `removed` means nothing.
    const removed = chunk.mode === 'delta' ? chunk.removed : [];
    if (!(await this.runs.addPart(tx, run.runId, chunk.part))) return;
    const distinct = ahead?.ids ?? distinctInKeyOrder(chunk.added);
    // Suppressed identifiers (a privacy request's) are refused: counted invalid, neither matched nor pending.
    const added = await this.suppressions.withoutSuppressed(tx, job.orgId, idNamespaceOf(job.dataSourceId, chunk.idType), distinct);
    const refused = distinct.length - added.length;
    const resolved = await this.runs.resolveChunk(
      tx,
      run.runId,
      job,
      replaces(run, job),
      chunk.seenIds ? chunk.seenIds.split(run.runId, added) : { unknown: added },
      ahead?.resolved,
    );
    await this.runs.stageRemoved(tx, run.runId, removed);
    const updated = await this.runs.noteChunk(tx, run.runId, {
      received: chunk.added.length + removed.length + (chunk.invalid ?? 0),
      invalid: (chunk.invalid ?? 0) + refused,
      lastPart: chunk.lastPart ? chunk.part : null,
      ...resolved,
    });
    if (isComplete(updated)) await this.applySnapshot.execute(tx, job);
  }
}

/**
 * XC's declared ids normalised with the data source's reconciliation key, as id-reconciliation
 * normalised the recipients' side: the form the replica holds them in.
 */
function normalized(chunk: SnapshotChunk, ds: DataSourceCopy): SnapshotChunk {
  if (ds.idType !== 'declared' || ds.normalization.length === 0) return chunk;
  const normalize = (id: string) => normalizeIncoming(id, ds.normalization);
  return { ...chunk, added: chunk.added.map(normalize), removed: chunk.removed.map(normalize) };
}

/** Chunks with fewer ids are resolved in their own transaction only (see resolveAhead). */
const RESOLVE_AHEAD_FROM = 1_000;

/** What makes a data source's ids what they are (its normalization), to compare two reads of it. */
const normalizationKey = (ds: DataSourceCopy): string => JSON.stringify(ds.normalization);

/** The ids resolved ahead for the data source, if it still normalizes them as it did then. */
function aheadFor(ahead: ChunkResolvedAhead | undefined, ds: DataSourceCopy): IdsResolvedAhead | undefined {
  const resolved = ahead?.get(ds.dataSourceId);
  return resolved?.normalization === normalizationKey(ds) ? resolved : undefined;
}

/**
 * Distinct and in key order: an id sent twice in a chunk counts once, and the replica's and the
 * run's indexes are visited in order.
 */
const distinctInKeyOrder = (ids: readonly string[]): string[] => [...new Set(ids)].sort();
