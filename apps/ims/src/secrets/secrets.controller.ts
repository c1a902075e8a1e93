import { Controller, Delete, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@audience-hub/auth';
import { AdminGuard } from '../auth/admin.guard';
import { AddSecretUsecase } from './usecases/add-secret.usecase';
import { RemoveSecretUsecase } from './usecases/remove-secret.usecase';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('v1/technical-accounts/:id/secrets')
export class SecretsController {
  constructor(
    private readonly addSecret: AddSecretUsecase,
    private readonly removeSecret: RemoveSecretUsecase,
  ) {}

  /** A second live secret (409 when there are two already); its value is in this answer only. */
  @Post()
  add(@CurrentPrincipal() caller: Principal, @Param('id') id: string): Promise<{ secretId: string; clientSecret: string }> {
    return this.addSecret.execute(caller.orgId, id);
  }

  @Delete(':secretId')
  @HttpCode(204)
  async remove(@CurrentPrincipal() caller: Principal, @Param('id') id: string, @Param('secretId') secretId: string): Promise<void> {
    await this.removeSecret.execute(caller.orgId, id, secretId);
  }
}
