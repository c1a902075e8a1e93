import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { SnapshotDryRun } from '@audience-hub/contracts';
import { DomainError } from '@audience-hub/platform';
import { ImportEffectsRepository } from '../import-effects.repository';
import { ReceivedSnapshotsRepository, type KeptSnapshot } from '../received-snapshots.repository';
import { ReceiveSnapshotChunkUseCase } from './receive-snapshot-chunk.usecase';

/** Rolls the dry run's transaction back once its effects are read. */
class DryRunDone extends Error {
  constructor(readonly result: SnapshotDryRun) {
    super('dry run');
  }
}

/**
 * POST /v1/imports/dry-run: the audience's kept snapshot sent again, as a new snapshot, through
 * the same use case as one arriving from XC, in one transaction rolled back once what it would do
 * is read from what it enqueued for Campaign (as the file dry run does). So the answer is exactly
 * what the snapshot would do now: its ids resolved through the replica as it is now, suppressed
 * ids refused, governance decided afresh, each open import's list diffed as it is now. The ids
 * stream from a cursor a kept part (at most 10,000 ids) at a time; nothing is left written. It holds the imports'
 * row locks while it runs, as an arriving snapshot would.
 */
@Injectable()
export class DryRunSnapshotUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly receivedSnapshots: ReceivedSnapshotsRepository,
    private readonly receiveChunk: ReceiveSnapshotChunkUseCase,
    private readonly effects: ImportEffectsRepository,
  ) {}

  async execute(orgId: string, audienceId: string): Promise<SnapshotDryRun> {
    try {
      await this.dataSource.transaction(async (tx) => {
        const kept = await this.receivedSnapshots.kept(tx, orgId, audienceId);
        if (!kept) throw new DomainError('not-found', `no full snapshot of audience ${audienceId} was received (or none is kept)`);
        await this.sendAgain(tx, kept);
        throw new DryRunDone({
          dryRun: true,
          audienceId,
          snapshot: { key: kept.snapshotKey, idType: kept.idType, dataSourceId: kept.dataSourceId, ids: kept.ids, parts: kept.parts, receivedAt: kept.receivedAt.toISOString() },
          effects: await this.effects.ofTransaction(tx),
        });
      });
    } catch (error) {
      if (error instanceof DryRunDone) return error.result;
      throw error;
    }
    throw new Error('unreachable: the dry run always rolls back');
  }

  /** The kept ids as chunks of a snapshot of their own; one chunk held back so the last can say lastPart. */
  private async sendAgain(tx: EntityManager, kept: KeptSnapshot): Promise<void> {
    let part = 0;
    const send = (added: string[], lastPart: boolean) =>
      this.receiveChunk.execute(tx, kept.orgId, {
        audienceId: kept.audienceId,
        snapshotKey: `dry-run:${kept.snapshotKey}`,
        mode: 'full',
        idType: kept.idType,
        ...(kept.dataSourceId !== null ? { dataSourceId: kept.dataSourceId } : {}),
        part: part++,
        lastPart,
        added,
        removed: [],
        replayed: true,
      });
    let held: string[] | undefined;
    for await (const ids of this.receivedSnapshots.partsOf(tx, kept.snapshotId)) {
      if (held) await send(held, false);
      held = ids;
    }
    await send(held ?? [], true); // an empty snapshot empties the lists
  }
}
