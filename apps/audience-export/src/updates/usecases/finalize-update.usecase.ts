import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { createEvent, EventTypes, idNamespaceOf, MAX_CHUNK_IDS, type AnyHubEvent } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { DataSourceCopiesRepository, SuppressionsRepository } from '@audience-hub/platform';
import { ExportFilesService } from '../../files/export-files.service';
import { IdentityClocksRepository } from '../../identity/identity-clocks.repository';
import { ListsRepository, type ListPosition } from '../../lists/lists.repository';
import { EXPORT_SOURCE } from '../../shared-audiences/shared-audiences.service';
import { SharedAudiencesRepository, type AudienceSync, type ListSync, type SharedAudienceRow } from '../../shared-audiences/shared-audiences.repository';
import { packChanges, withLast } from '../chunks';
import { ExportedMembersRepository } from '../exported-members.repository';
import type { UpdateRow } from '../update';
import { UpdateOutcomeService } from '../update-outcome.service';
import { UpdatesRepository } from '../updates.repository';

const EVENTS_PER_INSERT = 10;
/** ECIDs a recipient resolves to at most (the most recently observed), as id-reconciliation's to-xc answered. */
export const MAX_ECIDS_PER_RECIPIENT = 5;

/**
 * The final step of a running update, in one transaction: resolves the list's recipients to the
 * data source's XC ids with a join against the replica of the identity graph, compares them with
 * what the shared audience holds (set-based, in SQL), records the change under a new version,
 * emits it as `members-changed` chunks, plans the inbound files and completes the update. Either
 * all of it commits or none, so a crash never emits a member twice in one version; a change of
 * nothing keeps the version and emits no chunk.
 *
 * What it reads: the whole list, unless the audience's last update read the same list with the
 * graph as it is now (same identity clock; then only the members added since and that update's
 * unmapped recipients) and, for `mirror`, the graph has not changed since the last `mirror` update
 * either: after a link was made, moved or broke, the whole list is mapped through the current
 * graph, so `add-only` adds a member's new ids and `mirror` compares everything with what XC holds.
 */
@Injectable()
export class FinalizeUpdateUseCase {
  private readonly logger = new Logger('update-runner');

  constructor(
    private readonly database: DataSource,
    private readonly updates: UpdatesRepository,
    private readonly audiences: SharedAudiencesRepository,
    private readonly dataSources: DataSourceCopiesRepository,
    private readonly lists: ListsRepository,
    private readonly members: ExportedMembersRepository,
    private readonly clocks: IdentityClocksRepository,
    private readonly files: ExportFilesService,
    private readonly outcome: UpdateOutcomeService,
    private readonly suppressions: SuppressionsRepository,
  ) {}

  /** True when it changed the update (finished it); false when it is not its turn. */
  async execute(orgId: string, updateId: string): Promise<boolean> {
    return this.database.transaction((tx) => this.executeIn(tx, orgId, updateId));
  }

  /** The same in the caller's transaction (a dry run's, rolled back). */
  async executeIn(tx: EntityManager, orgId: string, updateId: string): Promise<boolean> {
    const found = await this.updates.find(tx, orgId, updateId);
    if (found?.state !== 'running') return false;
    const audience = await this.audiences.lock(tx, orgId, found.sharedAudienceId);
    const update = await this.updates.lock(tx, orgId, updateId);
    if (!audience || update?.state !== 'running') return false;

    const dataSource = await this.dataSources.find(tx, orgId, audience.dataSourceId);
    if (!dataSource) return this.done(this.outcome.fail(tx, update, audience.version, `data source ${audience.dataSourceId} was deleted during the run`));
    const list = (await this.lists.isLive(tx, orgId, update.listId)) ? await this.lists.changePosition(tx, orgId, update.listId) : undefined;
    if (!list) return this.done(this.outcome.fail(tx, update, audience.version, `list ${update.listId} was deleted during the run`));

    const timer = stepTimer();
    const mirror = update.mode === 'mirror';
    // Read before the graph is: a link changed later ticks past it, so the next update looks again.
    const linksSeq = await this.clocks.current(tx, orgId, audience.dataSourceId);
    const sync = await this.audiences.syncOf(tx, orgId, audience.id);
    const changesOnly = readsChangesOnly(update, sync, list, linksSeq);
    const { mapped, unmapped } = await this.members.resolve(tx, {
      orgId,
      updateId: update.id,
      listId: update.listId,
      dataSourceId: audience.dataSourceId,
      idsPerRecipient: dataSource.idType === 'visitor' ? MAX_ECIDS_PER_RECIPIENT : 1,
      ...(changesOnly ? { since: { fromSeq: sync.resolved!.seq, toSeq: list.seq, previousUpdate: sync.resolved!.updateId } } : {}),
    });
    // Suppressed identifiers (a privacy request's) are never sent: left out of what this version exports.
    await this.suppressions.deleteSuppressed(tx, orgId, idNamespaceOf(audience.dataSourceId, dataSource.idType), 'run_mapped', 'xc_id');
    timer.lap('resolved');
    const version = audience.version + 1;
    // Removals first: an id moving from a leaver to a member stays exported.
    let removed = 0;
    if (mirror) {
      const scope = { orgId, sharedAudienceId: audience.id, listId: update.listId, dataSourceId: audience.dataSourceId };
      removed = changesOnly
        ? await this.members.removeLeaversSince(tx, scope, version, { fromSeq: sync.mirrored!.seq, toSeq: list.seq })
        : await this.members.removeUnresolved(tx, orgId, audience.id, version);
    }
    timer.lap('removed');
    const added = await this.members.addNew(tx, orgId, audience.id, version, mapped);
    timer.lap('added');
    const position: ListSync = { listId: update.listId, seq: list.seq };
    await this.audiences.recordSync(tx, orgId, audience.id, { ...position, updateId: update.id, linksSeq }, mirror ? { ...position, linksSeq } : undefined);
    if (mirror) await this.lists.purgeRemovals(tx, orgId, update.listId);
    const read = changesOnly ? "the list's changes" : 'the whole list';
    if (added + removed === 0) {
      const exported = await this.audiences.memberCount(tx, orgId, audience.id);
      this.logger.log(`update ${update.id} final step (${read}): no change (ms: ${timer.laps()})`);
      return this.done(this.outcome.complete(tx, update, audience.version, { exported, added, removed, unmapped }));
    }

    const exported = await this.audiences.setVersion(tx, orgId, audience.id, version, added, removed);
    await this.emitChange(tx, update, audience, dataSource.idType, version);
    timer.lap('emitted');
    await this.files.plan(tx, update, dataSource, version, added + removed);
    this.logger.log(`update ${update.id} final step (${read}): +${added} -${removed} as version ${version}, ${unmapped} unmapped (ms: ${timer.laps()})`);
    return this.done(this.outcome.complete(tx, update, version, { exported, added, removed, unmapped }));
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

/**
 * Whether the run reads only the list's changes since the audience's last update (same list, its
 * history known since, the graph unchanged since: same identity clock) rather than the whole list;
 * `mirror` also needs leavers known since its last `mirror` update of this list, and the graph
 * unchanged since that one too.
 */
export function readsChangesOnly(update: Pick<UpdateRow, 'listId' | 'mode'>, sync: AudienceSync, list: ListPosition, linksSeq: number): boolean {
  const follows = (previous?: ListSync) => previous?.listId === update.listId && previous.seq >= list.historyFrom;
  if (!follows(sync.resolved) || sync.resolved!.linksSeq !== linksSeq) return false;
  return update.mode !== 'mirror' || (follows(sync.mirrored) && sync.mirrored!.linksSeq === linksSeq);
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
