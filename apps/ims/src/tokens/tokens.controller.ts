import { Body, Controller, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiConsumes, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { Request, Response } from 'express';
import { decodeJwt, type JWTPayload } from 'jose';
import { InvalidTokenError } from '@audience-hub/auth';
import { TokenValidationSchema } from '@audience-hub/contracts';
import { ApiRoute, DomainError, Public, requestDto } from '@audience-hub/platform';
import { AccessTokenValidator } from '../auth/access-token.validator';
import { AddressRateLimit } from './address-rate-limit';
import { OAuthErrorFilter } from './oauth-error';
import { parseTokenRequest } from './token-request';
import { IssueTokenUseCase, type TokenResponse } from './usecases/issue-token.usecase';

const TokenFormSchema = z
  .object({
    grant_type: z.literal('client_credentials'),
    client_id: z.string().optional().meta({ description: 'Unless sent in the Basic header (client_secret_basic)' }),
    client_secret: z.string().optional().meta({ description: 'Unless sent in the Basic header (client_secret_basic)' }),
    scope: z.string().optional().meta({ description: 'Comma- or space-separated; absent means every scope of the account' }),
  })
  .meta({ title: 'TokenRequest', example: { grant_type: 'client_credentials', client_id: 'cid-1', client_secret: 's3cr3t', scope: 'audiences.read' } });
const TokenResponseSchema = z
  .object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number().int() })
  .meta({ title: 'TokenResponse', example: { access_token: 'eyJhbGciOi...', token_type: 'bearer', expires_in: 86400 } });
const OAuthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() }).meta({ title: 'OAuthError', description: 'RFC 6749 section 5.2' });
const ValidateTokenSchema = z.object({ token: z.string(), type: z.literal('access_token').optional() }).meta({ title: 'ValidateToken' });
class OAuthErrorDto extends requestDto(OAuthErrorSchema) {}
class TokenRequestDto extends requestDto(TokenFormSchema) {}
class ValidateTokenDto extends requestDto(ValidateTokenSchema) {}

export type ValidationAnswer = { valid: true; claims: JWTPayload } | { valid: false; reason: string };

@ApiTags('oauth')
@Public()
@Controller('ims')
export class TokensController {
  constructor(
    private readonly issueToken: IssueTokenUseCase,
    private readonly validator: AccessTokenValidator,
    private readonly addressRate: AddressRateLimit,
  ) {}

  /** OAuth 2.0 client credentials grant (RFC 6749 section 4.4); errors per section 5.2, 429 from the address's rate or the brute-force brake. */
  @Post('token/v3')
  @HttpCode(200)
  @UseFilters(OAuthErrorFilter)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiRoute({
    summary: 'OAuth 2.0 client credentials grant (RFC 6749 section 4.4)',
    description: 'Errors per RFC 6749 section 5.2 (application/json, not problem+json); 429 from the address rate or the brute-force brake.',
    public: true,
    answer: TokenResponseSchema,
    body: { type: TokenRequestDto },
  })
  @ApiResponse({ status: 400, description: '`invalid_request`, `unsupported_grant_type`, `invalid_scope`', type: OAuthErrorDto })
  @ApiResponse({ status: 401, description: '`invalid_client`', type: OAuthErrorDto })
  @ApiResponse({ status: 429, description: 'Too many attempts from the address or for the client', type: OAuthErrorDto })
  async token(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<TokenResponse> {
    // The TCP peer: behind a proxy every caller shares the proxy's address.
    const address = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    this.addressRate.check(address);
    const tokenRequest = parseTokenRequest(request.body, request.headers.authorization);
    const answer = await this.issueToken.execute(tokenRequest, address);
    response.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    return answer;
  }

  /** Whether a token is valid now, and why not: signature, expiry, issuer, audience, revocation. */
  @Post('validate_token/v1')
  @HttpCode(200)
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiRoute({
    summary: 'Whether a token is valid now, and why not: signature, expiry, issuer, audience, revocation',
    public: true,
    answer: TokenValidationSchema,
    body: { type: ValidateTokenDto },
    problems: [400],
  })
  async validate(@Body() body: Record<string, unknown> | undefined): Promise<ValidationAnswer> {
    const token = body?.token;
    if (typeof token !== 'string' || token.length === 0) throw new DomainError('bad-request', 'token is required');
    if (body?.type !== undefined && body.type !== 'access_token') {
      throw new DomainError('bad-request', 'only type=access_token is supported');
    }
    try {
      await this.validator.validate(token);
      return { valid: true, claims: decodeJwt(token) };
    } catch (error) {
      if (error instanceof InvalidTokenError) return { valid: false, reason: error.reason };
      throw error;
    }
  }
}
