import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ACCESS_TOKEN_ALGORITHMS, ALL_SCOPES, JWKS_PATH } from '@audience-hub/auth';
import { Public, SERVICE_CONFIG } from '@audience-hub/platform';
import { publicBaseUrl, type ImsConfig } from '../config';

@ApiTags('oauth')
@Public()
@Controller('ims/.well-known')
export class DiscoveryController {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ImsConfig) {}

  /** OpenID provider metadata, limited to what this IMS does (client credentials, no ID tokens). */
  @Get('openid-configuration')
  configuration(): Record<string, unknown> {
    const base = publicBaseUrl(this.config);
    return {
      issuer: this.config.IMS_ISSUER,
      token_endpoint: `${base}/ims/token/v3`,
      jwks_uri: `${base}${JWKS_PATH}`,
      validate_token_endpoint: `${base}/ims/validate_token/v1`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ALL_SCOPES,
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [...ACCESS_TOKEN_ALGORITHMS],
      access_token_signing_alg: this.config.IMS_SIGNING_ALG,
    };
  }
}
