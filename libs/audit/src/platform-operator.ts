import type { Principal } from '@audience-hub/auth';

/** The scope of platform operators (issue #18 item 1): they also read platform-wide audit records. */
export const PLATFORM_SCOPE = 'ims.platform';

export function isPlatformOperator(principal: Principal): boolean {
  return principal.scopes.has(PLATFORM_SCOPE);
}
