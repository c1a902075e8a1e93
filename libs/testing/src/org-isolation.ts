import type { Tenant } from './ims-test-client';

export interface IsolationProbe {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Full URL of one of org A's resources (or a sub-resource). */
  url: string;
  body?: unknown;
}

/**
 * One line per resource in each service's e2e: org B gets 404 problem+json for every probe of org
 * A's resource, and nothing in the answer tells B it exists (no A ids, no counts). Then A still
 * sees it, so the 404 was isolation, not a missing resource.
 */
export async function expectInvisibleToOtherOrg(owner: Tenant, other: Tenant, probes: IsolationProbe[], secrets: string[] = []): Promise<void> {
  for (const probe of probes) {
    const response = await fetch(probe.url, {
      method: probe.method ?? 'GET',
      headers: { ...other.auth, 'content-type': 'application/json' },
      body: probe.body === undefined ? undefined : JSON.stringify(probe.body),
    });
    const text = await response.text();
    const where = `${probe.method ?? 'GET'} ${probe.url} as another org`;
    if (response.status !== 404) throw new Error(`${where}: expected 404, got ${response.status}: ${text}`);
    if (!(response.headers.get('content-type') ?? '').startsWith('application/problem+json')) throw new Error(`${where}: not problem+json`);
    for (const secret of [owner.orgId, ...secrets]) {
      if (text.includes(secret)) throw new Error(`${where}: answer leaks ${secret}: ${text}`);
    }
  }
  const first = probes.find((probe) => (probe.method ?? 'GET') === 'GET');
  if (first) {
    const response = await fetch(first.url, { headers: owner.auth });
    if (response.status !== 200) throw new Error(`GET ${first.url} as its owner: expected 200, got ${response.status}`);
  }
}
