import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { AuditActions } from '@audience-hub/contracts';
import { PlatformGuard } from '../auth/platform.guard';
import { SigningKeysService, type Rotation } from './signing-keys.service';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(PlatformGuard)
@Controller('v1/signing-keys')
export class SigningKeysController {
  constructor(private readonly keys: SigningKeysService) {}

  /** Signs from now on with a new key; publishes ims.signing-key.rotated. Affects every org. */
  @Post('rotate')
  @HttpCode(200)
  @Audited(AuditActions.signingKeysRotate)
  rotate(@Actor() actor: AuditActor): Promise<Rotation> {
    return this.keys.rotate(actor);
  }
}
