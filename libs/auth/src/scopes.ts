/**
 * The scopes a technical account can hold. Routes name the one they need with `@RequireScopes`.
 * - audiences.read / audiences.write: XC audiences, imports, lists, shared audiences and updates
 * - identities.read / identities.write: data sources, identities, resolution
 * - policies.write: governance policies (reading them needs audiences.read)
 * - ims.admin: the caller's own org in the IMS: technical accounts, secrets, revocation
 * - ims.platform: platform-wide IMS actions (creating orgs, rotating the signing keys); held only by
 *   the bootstrap operator account and accounts a platform operator grants it to
 * - audit.read: the service's audit trail of the caller's org (GET /v1/audit-events)
 * - dead-letters.manage: a consuming service's dead letters of the caller's org: list, show, redrive
 * - privacy.write / privacy.read: privacy requests (access, delete, suppress) of the caller's org, and reading them
 */
export const Scopes = {
  audiencesRead: 'audiences.read',
  audiencesWrite: 'audiences.write',
  identitiesRead: 'identities.read',
  identitiesWrite: 'identities.write',
  policiesWrite: 'policies.write',
  imsAdmin: 'ims.admin',
  imsPlatform: 'ims.platform',
  auditRead: 'audit.read',
  deadLettersManage: 'dead-letters.manage',
  privacyRead: 'privacy.read',
  privacyWrite: 'privacy.write',
} as const;

export type Scope = (typeof Scopes)[keyof typeof Scopes];

export const ALL_SCOPES: readonly Scope[] = Object.values(Scopes);

/** Every scope an org's own accounts may hold: all but the platform scope. */
export const ORG_SCOPES: readonly Scope[] = ALL_SCOPES.filter((scope) => scope !== Scopes.imsPlatform);

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
}

/** `scope` request parameters and token claims: comma- or space-separated. */
export function parseScopeList(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(/[\s,]+/).filter(Boolean))];
}
