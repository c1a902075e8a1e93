/**
 * The scopes a technical account can hold. Routes name the one they need with `@RequireScopes`.
 * - audiences.read / audiences.write: XC audiences, imports, lists, shared audiences and updates
 * - identities.read / identities.write: data sources, identities, resolution
 * - policies.write: governance policies (reading them needs audiences.read)
 * - ims.admin: orgs, technical accounts, secrets, signing keys
 * - audit.read: the service's audit trail of the caller's org (GET /v1/audit-events)
 */
export const Scopes = {
  audiencesRead: 'audiences.read',
  audiencesWrite: 'audiences.write',
  identitiesRead: 'identities.read',
  identitiesWrite: 'identities.write',
  policiesWrite: 'policies.write',
  imsAdmin: 'ims.admin',
  auditRead: 'audit.read',
} as const;

export type Scope = (typeof Scopes)[keyof typeof Scopes];

export const ALL_SCOPES: readonly Scope[] = Object.values(Scopes);

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
}

/** `scope` request parameters and token claims: comma- or space-separated. */
export function parseScopeList(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(/[\s,]+/).filter(Boolean))];
}
