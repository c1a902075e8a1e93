import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DataSourceCopiesRepository } from '@audience-hub/platform';
import { decideShare, denialReason, isAllowed } from '../../governance/export-governance';
import { ListsRepository } from '../../lists/lists.repository';
import { SharedAudiencesRepository } from '../../shared-audiences/shared-audiences.repository';
import { UpdateOutcomeService } from '../update-outcome.service';
import { UpdatesRepository } from '../updates.repository';

/**
 * Starts a pending update when it is first in its shared audience's queue, in one transaction:
 * governance check (denied: nothing is resolved or written), the data source and the list must
 * exist, then the update is `running` and its final step (resolution and export) is due.
 */
@Injectable()
export class StartUpdateUseCase {
  private readonly logger = new Logger('update-runner');

  constructor(
    private readonly database: DataSource,
    private readonly updates: UpdatesRepository,
    private readonly audiences: SharedAudiencesRepository,
    private readonly dataSources: DataSourceCopiesRepository,
    private readonly lists: ListsRepository,
    private readonly outcome: UpdateOutcomeService,
  ) {}

  /** True when it changed the update (started, finished it); false when it is not its turn. */
  async execute(orgId: string, updateId: string): Promise<boolean> {
    return this.database.transaction((tx) => this.executeIn(tx, orgId, updateId));
  }

  /** The same in the caller's transaction (a dry run's, rolled back). */
  async executeIn(tx: EntityManager, orgId: string, updateId: string): Promise<boolean> {
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
    if (!(await this.lists.isLive(tx, orgId, update.listId))) return this.done(this.outcome.fail(tx, update, audience.version, `list ${update.listId} is unknown or deleted`));

    await this.updates.markRunning(tx, update, dataSource.idType, decisions);
    await this.updates.notifyRunner(tx);
    this.logger.log(`update ${update.id} started`);
    return true;
  }

  private async done(ending: Promise<void>): Promise<boolean> {
    await ending;
    return true;
  }
}
