import { CanActivate, ExecutionContext, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@audience-hub/platform';
import { PUBLIC_ROUTE, REQUIRED_SCOPES, type AuthenticatedRequest } from './decorators';
import { RevocationRegistry } from './revocations';
import { ScopeDenialListener } from './scope-denials';
import { InvalidTokenError, TokenVerifier } from './token-verifier';
import type { Principal } from './principal';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

/** The JWT of an `Authorization: Bearer …` header, or a 401 problem saying one is needed. */
export function bearerToken(headers: Record<string, string | string[] | undefined>): string {
  const match = BEARER.exec(String(headers.authorization ?? ''));
  if (!match) throw unauthorized('a bearer access token from IMS is required');
  return match[1];
}

/** 401 problem+json with the RFC 6750 challenge. */
export function unauthorized(reason: string): DomainError {
  const error = new DomainError('invalid-token', reason);
  (error as unknown as { headers: Record<string, string> }).headers = {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description="${reason.replace(/"/g, "'")}"`,
  };
  return error;
}

/** 403 problem+json naming the scopes the route needs. */
export function insufficientScope(principal: Principal, required: readonly string[]): DomainError | undefined {
  const missing = required.filter((scope) => !principal.scopes.has(scope));
  if (missing.length === 0) return undefined;
  return new DomainError('insufficient-scope', `token lacks scope ${missing.join(', ')}`, { requiredScopes: [...required] });
}

/**
 * Default-deny: every HTTP route needs a valid IMS bearer token unless marked `@Public()`;
 * `@RequireScopes` adds the scopes it needs. 401 and 403 answer problem+json with the reason.
 */
@Injectable()
export class ImsAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly revocations: RevocationRegistry,
    @Optional() private readonly denials?: ScopeDenialListener,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // event handlers are not requests
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: Record<string, string | undefined> }>();
    const token = bearerToken(request.headers);
    let principal;
    try {
      principal = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthorized(error.reason);
      throw error;
    }
    if (this.revocations.isRevoked(principal)) throw unauthorized('token credentials were revoked');
    const denied = insufficientScope(principal, this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, targets) ?? []);
    if (denied) {
      await this.denials?.denied(principal, context, 'insufficient-scope');
      throw denied;
    }
    request.principal = principal;
    return true;
  }
}
