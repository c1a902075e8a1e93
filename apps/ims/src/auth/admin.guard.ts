import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { bearerToken, insufficientScope, InvalidTokenError, Scopes, unauthorized, type AuthenticatedRequest } from '@audience-hub/auth';
import { AccessTokenValidator } from './access-token.validator';

/**
 * Admin API guard: the shared answers of libs/auth, but the IMS checks tokens against its own keys
 * and its live account and secret state (AccessTokenValidator) rather than the JWKS cache: 401
 * problem+json for a missing, invalid or revoked token, 403 without `ims.admin`. On success the
 * verified caller is `request.principal` (read it with `@CurrentPrincipal()`).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly validator: AccessTokenValidator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: Record<string, string | undefined> }>();
    let principal;
    try {
      principal = await this.validator.validate(bearerToken(request.headers));
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthorized(error.reason);
      throw error;
    }
    const denied = insufficientScope(principal, [Scopes.imsAdmin]);
    if (denied) throw denied;
    request.principal = principal;
    return true;
  }
}
