import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@audience-hub/platform';
import type { UpdateDryRun } from '@audience-hub/contracts';
import type { ExportMode, UpdateRow } from '../update';
import { UpdatesRepository } from '../updates.repository';
import { FinalizeUpdateUseCase } from './finalize-update.usecase';
import { RequestUpdateUseCase } from './request-update.usecase';
import { StartUpdateUseCase } from './start-update.usecase';

/** Rolls a dry run's transaction back once its outcome is read. */
class DryRunDone extends Error {
  constructor(readonly update: UpdateRow) {
    super('dry run');
  }
}

/**
 * What an "Update shared audience" would do now, with nothing written: the update is requested,
 * started and finished by the same use cases as a real one, in one transaction that is rolled
 * back once its outcome (counts, decisions, reason) is read. Nothing reaches XC, Campaign or a
 * file, and no version is taken. It answers only when no earlier update of the shared audience is
 * still to run (its outcome would change what this one does).
 */
@Injectable()
export class DryRunUpdateUseCase {
  constructor(
    private readonly database: DataSource,
    private readonly updates: UpdatesRepository,
    private readonly request: RequestUpdateUseCase,
    private readonly start: StartUpdateUseCase,
    private readonly finalize: FinalizeUpdateUseCase,
  ) {}

  async execute(input: { orgId: string; sharedAudienceId: string; listId: string; mode: ExportMode }): Promise<UpdateDryRun> {
    try {
      await this.database.transaction(async (tx) => {
        const queued = await this.request.execute(tx, input);
        if (!(await this.start.executeIn(tx, input.orgId, queued.id))) {
          throw new DomainError('conflict', `an earlier update of shared audience ${input.sharedAudienceId} is still to run; try the dry run once it has`);
        }
        const started = await this.updates.find(tx, input.orgId, queued.id);
        if (started?.state === 'running') await this.finalize.executeIn(tx, input.orgId, queued.id);
        throw new DryRunDone((await this.updates.find(tx, input.orgId, queued.id))!);
      });
    } catch (error) {
      if (!(error instanceof DryRunDone)) throw error;
      const { state, counts, decisions, reason } = error.update;
      return { dryRun: true, state, counts, decisions, ...(reason ? { reason } : {}) };
    }
    throw new Error('unreachable: a dry run always rolls back');
  }
}
