import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ACCESS_TOKEN_ALGORITHMS, ALL_SCOPES } from '@audience-hub/auth';
import { ApiRoute, Public, SERVICE_CONFIG } from '@audience-hub/platform';
import { z } from 'zod';
import type { ImsConfig } from '../config';

/**
 * The IMS's metadata, where standard clients look for it: `{issuer}/.well-known/openid-configuration`
 * (OpenID Connect Discovery) and RFC 8414's `/.well-known/oauth-authorization-server/ims`, the
 * well-known segment inserted before the issuer's path `/ims`. Endpoints are under the issuer, so a
 * proxy that maps the issuer's URL to this service's `/ims` serves them all.
 */
const MetadataSchema = z
  .object({
    issuer: z.string(),
    token_endpoint: z.string(),
    jwks_uri: z.string(),
    validate_token_endpoint: z.string(),
    grant_types_supported: z.array(z.string()),
    token_endpoint_auth_methods_supported: z.array(z.string()),
    scopes_supported: z.array(z.string()),
    response_types_supported: z.array(z.string()),
    subject_types_supported: z.array(z.string()),
    id_token_signing_alg_values_supported: z.array(z.string()),
    access_token_signing_alg: z.string(),
  })
  .meta({ title: 'AuthorizationServerMetadata', description: 'OpenID Connect Discovery / RFC 8414 metadata' });

@ApiTags('oauth')
@Public()
@Controller()
export class DiscoveryController {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ImsConfig) {}

  @Get('ims/.well-known/openid-configuration')
  @ApiRoute({ summary: "The IMS's OpenID Connect Discovery metadata", public: true, answer: MetadataSchema })
  openIdConfiguration(): Record<string, unknown> {
    return this.metadata();
  }

  @Get('.well-known/oauth-authorization-server/ims')
  @ApiRoute({ summary: "The IMS's RFC 8414 authorization server metadata", public: true, answer: MetadataSchema })
  authorizationServerMetadata(): Record<string, unknown> {
    return this.metadata();
  }

  /** Limited to what this IMS does: client credentials, no ID tokens. */
  private metadata(): Record<string, unknown> {
    const issuer = this.config.IMS_ISSUER;
    return {
      issuer,
      token_endpoint: `${issuer}/token/v3`,
      jwks_uri: `${issuer}/keys`,
      validate_token_endpoint: `${issuer}/validate_token/v1`,
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
