import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { createEvent, EventTypes, MAX_CHUNK_IDS, type AnyHubEvent } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { DataSourceCopiesRepository } from '@audience-hub/platform';
import { ExportFilesService } from '../../files/export-files.service';
import { ListsRepository } from '../../lists/lists.repository';
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
      if (!(await this.lists.isLive(tx, orgId, update.listId))) return this.done(this.outcome.fail(tx, update, audience.version, `list ${update.listId} was deleted during the run`));

      const resolved = await this.members.analyzeStaging(tx, update.runNo);
      const version = audience.version + 1;
      // Removals first: an id moving from a leaver to a member stays exported.
      const removed = update.mode === 'mirror' ? await this.members.removeLeavers(tx, orgId, audience.id, update.listId, update.runNo, version) : 0;
      const added = await this.members.addNew(tx, orgId, audience.id, update.listId, update.runNo, version, resolved);
      const unmapped = await this.updates.countUnmapped(tx, update);
      if (added + removed === 0) {
        const exported = await this.audiences.memberCount(tx, orgId, audience.id);
        return this.done(this.outcome.complete(tx, update, audience.version, { exported, added, removed, unmapped }));
      }

      const exported = await this.audiences.setVersion(tx, orgId, audience.id, version, added, removed);
      await this.emitChange(tx, update, audience, dataSource.idType, version);
      await this.files.plan(tx, update, dataSource, version, added + removed);
      const counts = { exported, added, removed, unmapped };
      return this.done(this.outcome.complete(tx, update, version, counts));
    });
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
