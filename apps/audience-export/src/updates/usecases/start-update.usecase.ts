import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createEvent, EventTypes, type AnyHubEvent } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { DataSourceCopiesRepository } from '@audience-hub/platform';
import { decideShare, denialReason, isAllowed } from '../../governance/export-governance';
import { ListsRepository } from '../../lists/lists.repository';
import { EXPORT_SOURCE } from '../../shared-audiences/shared-audiences.service';
import { SharedAudiencesRepository } from '../../shared-audiences/shared-audiences.repository';
import { withLast } from '../chunks';
import { ExportedMembersRepository } from '../exported-members.repository';
import { UpdateOutcomeService } from '../update-outcome.service';
import { UpdatesRepository } from '../updates.repository';

/** Who id-reconciliation answers: resolution results carry it, and only ours are consumed. */
export const REQUESTER = 'audience-export';
/** Recipient ids per resolution request (each may resolve to up to 5 ECIDs, within 10,000 per answer). */
export const RESOLVE_CHUNK = 2_000;
const EVENTS_PER_INSERT = 50;

/**
 * Starts a pending update when it is first in its shared audience's queue: governance check, then
 * the list's recipients not exported yet go to id-reconciliation as resolution requests, all in the
 * transaction that marks the update running (so a crash leaves it pending or fully requested).
 * When the audience's last update read the same list, only the list's changes since then are read
 * (with that update's unmapped recipients); otherwise the list is compared with the audience.
 */
@Injectable()
export class StartUpdateUsecase {
  private readonly logger = new Logger('update-runner');

  constructor(
    private readonly database: DataSource,
    private readonly updates: UpdatesRepository,
    private readonly audiences: SharedAudiencesRepository,
    private readonly dataSources: DataSourceCopiesRepository,
    private readonly lists: ListsRepository,
    private readonly members: ExportedMembersRepository,
    private readonly outcome: UpdateOutcomeService,
  ) {}

  /** True when it changed the update (started, finished it); false when it is not its turn. */
  async execute(orgId: string, updateId: string): Promise<boolean> {
    return this.database.transaction(async (tx): Promise<boolean> => {
      const queued = await this.updates.find(tx, orgId, updateId);
      if (queued?.state !== 'pending') return false;
      // Updates of one shared audience serialize on its row.
      const audience = await this.audiences.lock(tx, orgId, queued.sharedAudienceId);
      const update = await this.updates.lock(tx, orgId, updateId);
      if (!audience || update?.state !== 'pending' || (await this.updates.isBlocked(tx, update))) return false;

      const dataSource = await this.dataSources.find(tx, orgId, audience.dataSourceId);
      if (!dataSource) return this.done(this.outcome.fail(tx, update, audience.version, `data source ${audience.dataSourceId} is unknown or deleted`));
      const decisions = decideShare(dataSource);
      if (!isAllowed(decisions)) return this.done(this.outcome.deny(tx, update, audience.version, decisions, denialReason(decisions)!));
      const list = (await this.lists.isLive(tx, orgId, update.listId)) ? await this.lists.changePosition(tx, orgId, update.listId) : undefined;
      if (!list) return this.done(this.outcome.fail(tx, update, audience.version, `list ${update.listId} is unknown or deleted`));

      const started = Date.now();
      await this.members.createStaging(tx, update.runNo);
      const { resolved } = await this.audiences.syncOf(tx, orgId, audience.id);
      const incremental = resolved?.listId === update.listId && resolved.seq >= list.historyFrom;
      let recipients: AsyncGenerator<string[]>;
      if (incremental) {
        recipients = this.members.recipientsChangedSince(tx, orgId, update.listId, { fromSeq: resolved.seq, toSeq: list.seq, previousUpdate: resolved.updateId }, RESOLVE_CHUNK);
      } else {
        await this.members.preferHashJoins(tx);
        recipients = this.members.recipientsToResolve(tx, orgId, update.listId, audience.id, RESOLVE_CHUNK);
      }
      let part = 0;
      let batch: AnyHubEvent[] = [];
      const flush = async () => {
        await enqueueEvents(tx, batch);
        await this.updates.recordRequestEvents(tx, orgId, update.id, batch.map((event) => event.id));
        batch = [];
      };
      for await (const { value: ids, last } of withLast(recipients)) {
        batch.push(
          createEvent({
            type: EventTypes.idrecResolutionRequested,
            source: EXPORT_SOURCE,
            orgId,
            // Keyed per part: a run's requests spread over the partitions, so they are resolved in parallel.
            aggregateId: `${update.id}/${part}`,
            data: { requestId: update.id, requester: REQUESTER, dataSourceId: dataSource.dataSourceId, direction: 'to-xc', part: part++, lastPart: last, ids },
          }),
        );
        if (batch.length >= EVENTS_PER_INSERT) await flush();
      }
      if (batch.length > 0) await flush();
      await this.updates.markRunning(tx, update, dataSource.idType, part, decisions, list.seq);
      this.logger.log(`update ${update.id} started: ${part} resolution requests (${incremental ? 'list changes since the last update' : 'whole list'}) written in ${Date.now() - started} ms`);
      // With nothing to resolve, the run can finish at once.
      if (part === 0) await this.updates.notifyRunner(tx);
      return true;
    });
  }

  private async done(ending: Promise<void>): Promise<boolean> {
    await ending;
    return true;
  }
}
