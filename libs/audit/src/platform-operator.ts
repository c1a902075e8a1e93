import { Scopes, type Principal } from '@audience-hub/auth';

/** Platform operators (`ims.platform`) also read platform-wide audit records. */
export function isPlatformOperator(principal: Principal): boolean {
  return principal.scopes.has(Scopes.imsPlatform);
}
