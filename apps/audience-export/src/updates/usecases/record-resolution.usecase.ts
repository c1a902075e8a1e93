import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { xcIdError, type HubEventOf } from '@audience-hub/contracts';
import { ExportedMembersRepository } from '../exported-members.repository';
import { UpdatesRepository } from '../updates.repository';

/**
 * Applies one resolution answer chunk to its running update: matched ids go to the run's staging
 * table, unmatched recipients are the run's unmapped ones. Each part counts once.
 */
@Injectable()
export class RecordResolutionUsecase {
  private readonly logger = new Logger('resolution');

  constructor(
    private readonly updates: UpdatesRepository,
    private readonly members: ExportedMembersRepository,
  ) {}

  async execute(tx: EntityManager, event: HubEventOf<'idrec.resolution.resolved'>): Promise<void> {
    const { data } = event;
    const update = await this.updates.find(tx, event.orgid, data.requestId);
    // A late answer to a run that ended (failed, timed out) changes nothing.
    if (update?.state !== 'running' || !update.idType) return;
    if (!(await this.updates.claimPart(tx, update, data.part))) return;
    const idType = update.idType;
    const valid = data.matched.filter((match) => xcIdError(idType, match.id) === undefined);
    const invalid = data.matched.length - valid.length;
    if (invalid > 0) this.logger.warn(`${invalid} resolved ids of update ${update.id} are not valid ${update.idType} ids; skipped`);
    await this.members.addResolved(tx, update.runNo, valid);
    await this.updates.addUnmapped(tx, update, data.unmatched);
    const progress = await this.updates.recordProgress(tx, update);
    if (progress.partsReceived >= progress.partsExpected) await this.updates.notifyRunner(tx);
  }
}
