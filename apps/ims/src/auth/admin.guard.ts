import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { InvalidTokenError, Scopes, type AuthenticatedRequest } from '@audience-hub/auth';
import { ProblemException } from '@audience-hub/platform';
import { AccessTokenValidator } from './access-token.validator';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

/**
 * Admin API guard, until the IMS moves to the shared guard of libs/auth (same answers): 401
 * problem+json for a missing, invalid or revoked token, 403 without `ims.admin`. On success the
 * verified caller is `request.principal` (read it with `@CurrentPrincipal()`).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly validator: AccessTokenValidator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: Record<string, string | undefined> }>();
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) throw unauthorized('a bearer access token from IMS is required');
    let principal;
    try {
      principal = await this.validator.validate(match[1]);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthorized(error.reason);
      throw error;
    }
    if (!principal.scopes.has(Scopes.imsAdmin)) {
      throw new ProblemException(HttpStatus.FORBIDDEN, 'insufficient-scope', `token lacks scope ${Scopes.imsAdmin}`, { requiredScopes: [Scopes.imsAdmin] });
    }
    request.principal = principal;
    return true;
  }
}

function unauthorized(reason: string): ProblemException {
  const error = new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid-token', reason);
  (error as unknown as { headers: Record<string, string> }).headers = {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description="${reason.replace(/"/g, "'")}"`,
  };
  return error;
}
