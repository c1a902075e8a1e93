import { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { bearerToken, insufficientScope, InvalidTokenError, REQUIRED_SCOPES, ScopeDenialListener, unauthorized, type AuthenticatedRequest, type Scope } from '@audience-hub/auth';
import { AccessTokenValidator } from './access-token.validator';

/**
 * The IMS's guards: the shared answers of libs/auth, but the IMS checks tokens against its own keys
 * and its live account and secret state (AccessTokenValidator) rather than the JWKS cache: 401
 * problem+json for a missing, invalid or revoked token, 403 without the guard's scope (or, on a
 * route naming its scopes with `@RequireScopes`, without those; the denial is told to the audit
 * trail). On success the verified caller is `request.principal` (read it with `@CurrentPrincipal()`).
 */
export abstract class ImsScopeGuard implements CanActivate {
  protected constructor(
    private readonly validator: AccessTokenValidator,
    private readonly reflector: Reflector,
    private readonly required: Scope,
    private readonly denials?: ScopeDenialListener,
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
    const required = this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, [context.getHandler(), context.getClass()]) ?? [this.required];
    const denied = insufficientScope(principal, required);
    if (denied) {
      await this.denials?.denied(principal, context, 'insufficient-scope');
      throw denied;
    }
    request.principal = principal;
    return true;
  }
}
