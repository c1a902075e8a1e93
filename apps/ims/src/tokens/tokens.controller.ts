import { Body, Controller, HttpCode, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { decodeJwt, type JWTPayload } from 'jose';
import { InvalidTokenError } from '@audience-hub/auth';
import { DomainError, Public } from '@audience-hub/platform';
import { AccessTokenValidator } from '../auth/access-token.validator';
import { AddressRateLimit } from './address-rate-limit';
import { OAuthErrorFilter } from './oauth-error';
import { parseTokenRequest } from './token-request';
import { IssueTokenUseCase, type TokenResponse } from './usecases/issue-token.usecase';

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
