import { CanActivate, ExecutionContext } from '@nestjs/common';
import { bearerToken, insufficientScope, InvalidTokenError, unauthorized, type AuthenticatedRequest, type Scope } from '@audience-hub/auth';
import { AccessTokenValidator } from './access-token.validator';

/**
 * The IMS's guards: the shared answers of libs/auth, but the IMS checks tokens against its own keys
 * and its live account and secret state (AccessTokenValidator) rather than the JWKS cache: 401
 * problem+json for a missing, invalid or revoked token, 403 without the guard's scope. On success the
 * verified caller is `request.principal` (read it with `@CurrentPrincipal()`).
 */
export abstract class ImsScopeGuard implements CanActivate {
  protected constructor(
    private readonly validator: AccessTokenValidator,
    private readonly required: Scope,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: Record<string, string | undefined> }>();
    let principal;
    try {
      principal = await this.validator.validate(bearerToken(request.headers));
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthorized(error.reason);
      throw error;
    }
    const denied = insufficientScope(principal, [this.required]);
    if (denied) throw denied;
    request.principal = principal;
    return true;
  }
}
