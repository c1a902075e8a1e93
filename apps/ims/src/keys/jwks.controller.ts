import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { JWK } from 'jose';
import { z } from 'zod';
import { ApiRoute, Public } from '@audience-hub/platform';
import { SigningKeysService } from './signing-keys.service';

const JwksSchema = z
  .object({ keys: z.array(z.object({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.string().optional() }).loose()) })
  .meta({ title: 'Jwks', description: 'RFC 7517 JSON Web Key Set: the public keys only' });

@ApiTags('keys')
@Public()
@Controller('ims')
export class JwksController {
  constructor(private readonly keys: SigningKeysService) {}

  @Get('keys')
  @Header('Cache-Control', 'public, max-age=60')
  @ApiRoute({ summary: 'The current key and the retired keys whose tokens may still be alive', public: true, answer: JwksSchema })
  jwks(): Promise<{ keys: JWK[] }> {
    return this.keys.jwks();
  }
}
