import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { createEvent, EventTypes, MAX_CHUNK_IDS, type AnyHubEvent } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { DataSourceCopiesRepository } from '@audience-hub/platform';
import { ExportFilesService } from '../../files/export-files.service';
import { ListsRepository, type ListPosition } from '../../lists/lists.repository';
import { EXPORT_SOURCE } from '../../shared-audiences/shared-audiences.service';
import { SharedAudiencesRepository, type SharedAudienceRow } from '../../shared-audiences/shared-audiences.repository';
import { packChanges, withLast } from '../chunks';
import { ExportedMembersRepository } from '../exported-members.repository';
import type { UpdateRow } from '../update';
import { UpdateOutcomeService } from '../update-outcome.service';
import { UpdatesRepository } from '../updates.repository';

const EVENTS_PER_INSERT = 10;

/**
 * Ends a run whose every resolution answer arrived, in one transaction: compares the resolved ids
 * with what the shared audience holds (set-based, in SQL), records the change under a new version,
 * emits it as `members-changed` chunks, plans the inbound files and completes the update. Either
 * all of it commits or none, so a crash never emits a member twice in one version; a change of
 * nothing keeps the version and emits no chunk.
 */
@Injectable()
export class FinalizeUpdateUsecase {
  private readonly logger = new Logger('update-runner');

  constructor(
    private readonly database: DataSource,
    private readonly updates: UpdatesRepository,
    private readonly audiences: SharedAudiencesRepository,
    private readonly dataSources: DataSourceCopiesRepository,
    private readonly lists: ListsRepository,
    private readonly members: ExportedMembersRepository,
    private readonly files: ExportFilesService,
    private readonly outcome: UpdateOutcomeService,
  ) {}

  /** True when it changed the update (started, finished it); false when it is not its turn. */
  async execute(orgId: string, updateId: string): Promise<boolean> {
    return this.database.transaction(async (tx): Promise<boolean> => {
      const found = await this.updates.find(tx, orgId, updateId);
      if (found?.state !== 'running') return false;
      const audience = await this.audiences.lock(tx, orgId, found.sharedAudienceId);
      const update = await this.updates.lock(tx, orgId, updateId);
      if (!audience || update?.state !== 'running' || update.partsReceived < (update.partsExpected ?? Infinity)) return false;

      const dataSource = await this.dataSources.find(tx, orgId, audience.dataSourceId);
      if (!dataSource) return this.done(this.outcome.fail(tx, update, audience.version, `data source ${audience.dataSourceId} was deleted during the run`));
      const list = (await this.lists.isLive(tx, orgId, update.listId)) ? await this.lists.changePosition(tx, orgId, update.listId) : undefined;
      if (!list) return this.done(this.outcome.fail(tx, update, audience.version, `list ${update.listId} was deleted during the run`));

      const timer = stepTimer();
      const resolved = await this.members.analyzeStaging(tx, update.runNo);
      const version = audience.version + 1;
      // Removals first: an id moving from a leaver to a member stays exported.
      const removed = update.mode === 'mirror' ? await this.removeLeavers(tx, update, audience, list, version) : 0;
      timer.lap('removed');
      const added = await this.members.addNew(tx, orgId, audience.id, update.listId, update.runNo, version, resolved);
      timer.lap('added');
      const unmapped = await this.updates.countUnmapped(tx, update);
      // A run started before list seqs existed (listSeq null) leaves the next update to compare whole sets.
      if (update.listSeq !== null) {
        const mirrored = update.mode === 'mirror' ? { listId: update.listId, seq: list.seq } : undefined;
        await this.audiences.recordSync(tx, orgId, audience.id, { listId: update.listId, seq: update.listSeq, updateId: update.id }, mirrored);
        if (mirrored) await this.lists.purgeRemovals(tx, orgId, update.listId);
      }
      if (added + removed === 0) {
        const exported = await this.audiences.memberCount(tx, orgId, audience.id);
        return this.done(this.outcome.complete(tx, update, audience.version, { exported, added, removed, unmapped }));
      }

      const exported = await this.audiences.setVersion(tx, orgId, audience.id, version, added, removed);
      await this.emitChange(tx, update, audience, dataSource.idType, version);
      timer.lap('emitted');
      await this.files.plan(tx, update, dataSource, version, added + removed);
      this.logger.log(`update ${update.id} final step: +${added} -${removed} as version ${version} (ms: ${timer.laps()})`);
      const counts = { exported, added, removed, unmapped };
      return this.done(this.outcome.complete(tx, update, version, counts));
    });
  }

  /** Leavers since the audience last mirrored this list, or (first time, other list) all of them. */
  private async removeLeavers(tx: EntityManager, update: UpdateRow, audience: SharedAudienceRow, list: ListPosition, version: number): Promise<number> {
    const { mirrored } = await this.audiences.syncOf(tx, update.orgId, audience.id);
    if (mirrored?.listId === update.listId && mirrored.seq >= list.historyFrom) {
      return this.members.removeLeaversSince(tx, update.orgId, audience.id, update.listId, update.runNo, version, { fromSeq: mirrored.seq, toSeq: list.seq });
    }
    return this.members.removeLeavers(tx, update.orgId, audience.id, update.listId, update.runNo, version);
  }

  /** The version's change as `xc.shared-audience.members-changed` chunks of at most 10,000 ids, through the outbox. */
  private async emitChange(tx: EntityManager, update: UpdateRow, audience: SharedAudienceRow, idType: 'visitor' | 'declared', version: number): Promise<void> {
    let part = 0;
    let batch: AnyHubEvent[] = [];
    const chunks = packChanges(this.members.changes(tx, update.orgId, audience.id, version, MAX_CHUNK_IDS), MAX_CHUNK_IDS);
    for await (const { value: chunk, last } of withLast(chunks)) {
      batch.push(
        createEvent({
          type: EventTypes.xcSharedAudienceMembersChanged,
          source: EXPORT_SOURCE,
          orgId: update.orgId,
          aggregateId: audience.id,
          data: { sharedAudienceId: audience.id, version, idType, part: part++, lastPart: last, added: chunk.added, removed: chunk.removed },
        }),
      );
      if (batch.length >= EVENTS_PER_INSERT) {
        await enqueueEvents(tx, batch);
        batch = [];
      }
    }
    await enqueueEvents(tx, batch);
  }

  private async done(ending: Promise<void>): Promise<boolean> {
    await ending;
    return true;
  }
}

/** Milliseconds between the named points of a step, for its log line. */
function stepTimer(): { lap(name: string): void; laps(): string } {
  let last = Date.now();
  const laps: string[] = [];
  return {
    lap: (name) => {
      const now = Date.now();
      laps.push(`${name} ${now - last}`);
      last = now;
    },
    laps: () => laps.join(', '),
  };
}
