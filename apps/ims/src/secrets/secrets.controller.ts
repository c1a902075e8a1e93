import { Controller, Delete, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { AuditActions } from '@audience-hub/contracts';
import { AdminGuard } from '../auth/admin.guard';
import { AddSecretUseCase } from './usecases/add-secret.usecase';
import { RemoveSecretUseCase } from './usecases/remove-secret.usecase';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('v1/technical-accounts/:id/secrets')
export class SecretsController {
  constructor(
    private readonly addSecret: AddSecretUseCase,
    private readonly removeSecret: RemoveSecretUseCase,
  ) {}

  /** A second live secret (409 when there are two already); its value is in this answer only. */
  @Post()
  @Audited(AuditActions.secretAdd, { technicalAccountId: 'id' })
  add(@Actor() actor: AuditActor, @Param('id') id: string): Promise<{ secretId: string; clientSecret: string }> {
    return this.addSecret.execute(actor, id);
  }

  @Delete(':secretId')
  @HttpCode(204)
  @Audited(AuditActions.secretRemove, { technicalAccountId: 'id', secretId: 'secretId' })
  async remove(@Actor() actor: AuditActor, @Param('id') id: string, @Param('secretId') secretId: string): Promise<void> {
    await this.removeSecret.execute(actor, id, secretId);
  }
}
