import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOAuth2, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Actor, Audited, type AuditActor } from '@audience-hub/audit';
import { Scopes } from '@audience-hub/auth';
import { AuditActions } from '@audience-hub/contracts';
import { ApiRoute, IMS_SECURITY } from '@audience-hub/platform';
import { PlatformGuard } from '../auth/platform.guard';
import { SigningKeysService, type Rotation } from './signing-keys.service';

const RotationSchema = z
  .object({ kid: z.string(), previousKid: z.string().optional(), previousPublishedUntil: z.string().meta({ format: 'date-time' }).optional() })
  .meta({ title: 'Rotation' });

@ApiTags('admin')
@ApiOAuth2([Scopes.imsPlatform], IMS_SECURITY)
@UseGuards(PlatformGuard)
@Controller('v1/signing-keys')
export class SigningKeysController {
  constructor(private readonly keys: SigningKeysService) {}

  @Post('rotate')
  @HttpCode(200)
  @Audited(AuditActions.signingKeysRotate)
  @ApiRoute({ summary: 'Signs from now on with a new key; publishes ims.signing-key.rotated. Affects every org', answer: RotationSchema })
  rotate(@Actor() actor: AuditActor): Promise<Rotation> {
    return this.keys.rotate(actor);
  }
}
