import { Controller, Delete, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiOAuth2, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { Scopes } from '@audience-hub/auth';
import { AuditActions } from '@audience-hub/contracts';
import { ApiRoute, IMS_SECURITY } from '@audience-hub/platform';
import { AdminGuard } from '../auth/admin.guard';
import { AddSecretUseCase } from './usecases/add-secret.usecase';
import { RemoveSecretUseCase } from './usecases/remove-secret.usecase';

const AddedSecretSchema = z.object({ secretId: z.string(), clientSecret: z.string().meta({ description: 'Shown in this answer only' }) }).meta({ title: 'AddedSecret' });

@ApiTags('admin')
@ApiOAuth2([Scopes.imsAdmin], IMS_SECURITY)
@UseGuards(AdminGuard)
@Controller('v1/technical-accounts/:id/secrets')
export class SecretsController {
  constructor(
    private readonly addSecret: AddSecretUseCase,
    private readonly removeSecret: RemoveSecretUseCase,
  ) {}

  @Post()
  @Audited(AuditActions.secretAdd, { technicalAccountId: 'id' })
  @ApiRoute({ summary: 'A second live secret (409 when there are two already); its value is in this answer only', status: 201, answer: AddedSecretSchema, problems: [404, 409] })
  add(@Actor() actor: AuditActor, @Param('id') id: string): Promise<{ secretId: string; clientSecret: string }> {
    return this.addSecret.execute(actor, id);
  }

  @Delete(':secretId')
  @HttpCode(204)
  @Audited(AuditActions.secretRemove, { technicalAccountId: 'id', secretId: 'secretId' })
  @ApiRoute({ summary: 'Removes a secret of the account (not its last one)', status: 204, problems: [404, 409] })
  async remove(@Actor() actor: AuditActor, @Param('id') id: string, @Param('secretId') secretId: string): Promise<void> {
    await this.removeSecret.execute(actor, id, secretId);
  }
}
