import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { JWK } from 'jose';
import { Public } from '@audience-hub/platform';
import { SigningKeysService } from './signing-keys.service';

@ApiTags('keys')
@Public()
@Controller('ims')
export class JwksController {
  constructor(private readonly keys: SigningKeysService) {}

  /** The current key and the retired keys whose tokens may still be alive. */
  @Get('keys')
  @Header('Cache-Control', 'public, max-age=60')
  jwks(): Promise<{ keys: JWK[] }> {
    return this.keys.jwks();
  }
}
