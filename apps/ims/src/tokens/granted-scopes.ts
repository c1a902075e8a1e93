import { parseScopeList } from '@audience-hub/auth';

export type ScopeGrant = { ok: true; scopes: string[] } | { ok: false; notGranted: string[] };

/** The scopes a token gets: those requested, which must all be the account's; none requested means all of them. */
export function grantScopes(requested: string | undefined, accountScopes: readonly string[]): ScopeGrant {
  const wanted = parseScopeList(requested);
  if (wanted.length === 0) return { ok: true, scopes: [...accountScopes] };
  const notGranted = wanted.filter((scope) => !accountScopes.includes(scope));
  return notGranted.length > 0 ? { ok: false, notGranted } : { ok: true, scopes: wanted };
}
