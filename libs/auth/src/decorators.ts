import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiOAuth2 } from '@nestjs/swagger';
import { IMS_SECURITY } from '@audience-hub/platform';
import type { Principal } from './principal';
import type { Scope } from './scopes';

export { Public, PUBLIC_ROUTE } from '@audience-hub/platform';
export const REQUIRED_SCOPES = 'audience-hub:scopes';

/** The token must hold every one of these scopes (403 otherwise); the OpenAPI document names them as the route's security requirement. */
export const RequireScopes = (...scopes: Scope[]) => applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes), ApiOAuth2(scopes, IMS_SECURITY));

export interface AuthenticatedRequest {
  principal?: Principal;
}

/** The verified caller of this request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});

/** The caller's org: the only org a request may read or change. */
export const OrgId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('OrgId used on a public route');
  return principal.orgId;
});
