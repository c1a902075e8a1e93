import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@audience-hub/platform';
import { ExportFilesRepository } from '../../files/export-files.repository';
import { updateView, type UpdateView } from '../update';
import { UpdatesRepository } from '../updates.repository';

/** GET /v1/shared-audiences/{id}/updates/{updateId}: an update run with its files' deliveries; 404 when not an update of that audience. */
@Injectable()
export class GetUpdateUseCase {
  constructor(
    private readonly database: DataSource,
    private readonly updates: UpdatesRepository,
    private readonly files: ExportFilesRepository,
  ) {}

  async execute(orgId: string, sharedAudienceId: string, updateId: string): Promise<UpdateView> {
    const update = await this.updates.findOfAudience(this.database, orgId, sharedAudienceId, updateId);
    if (!update) throw new DomainError('not-found', `no update ${updateId}`);
    return updateView(update, await this.files.deliveriesOf(this.database, orgId, update.id));
  }
}
