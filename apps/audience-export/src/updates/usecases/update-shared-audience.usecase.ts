import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@audience-hub/platform';
import type { UpdateDryRun } from '@audience-hub/contracts';
import { ListsRepository } from '../../lists/lists.repository';
import { SharedAudiencesRepository } from '../../shared-audiences/shared-audiences.repository';
import type { UpdateState } from '../update';
import { DryRunUpdateUseCase } from './dry-run-update.usecase';
import { RequestUpdateUseCase, type UpdateRequest } from './request-update.usecase';

/**
 * POST /v1/shared-audiences/{id}/updates: the audience and the list must exist; then the run is
 * queued in a transaction of its own, or, for a dry run, what it would do now is answered.
 */
@Injectable()
export class UpdateSharedAudienceUseCase {
  constructor(
    private readonly database: DataSource,
    private readonly audiences: SharedAudiencesRepository,
    private readonly lists: ListsRepository,
    private readonly requestUpdate: RequestUpdateUseCase,
    private readonly dryRunUpdate: DryRunUpdateUseCase,
  ) {}

  async execute(request: UpdateRequest, dryRun: boolean): Promise<{ id: string; state: UpdateState } | UpdateDryRun> {
    if (!(await this.audiences.find(this.database, request.orgId, request.sharedAudienceId))) throw new DomainError('not-found', `no shared audience ${request.sharedAudienceId}`);
    if (!(await this.lists.isLive(this.database, request.orgId, request.listId))) throw new DomainError('unknown-list', `no list ${request.listId}`);
    if (dryRun) return this.dryRunUpdate.execute(request);
    const update = await this.database.transaction((tx) => this.requestUpdate.execute(tx, request));
    return { id: update.id, state: update.state };
  }
}
