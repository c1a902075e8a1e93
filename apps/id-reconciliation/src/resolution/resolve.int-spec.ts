import { ImsTestClient, launchService, newEcid, testEnv, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/** POST /v1/resolve refusing ids that are not ids of what it resolves from (identities.int-spec.ts covers the answers). */
describe('id-reconciliation POST /v1/resolve', () => {
  let ims: ImsTestClient;
  let idrec: RunningService;
  let tenant: Tenant;
  const ecid = newEcid();

  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${idrec.url}${path}`, {
      method,
      headers: { ...tenant.auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
  }

  async function declaredSource(name: string, normalization: string[]): Promise<string> {
    const created = await api('POST', '/v1/data-sources', { name, idType: 'declared', integrationCode: name, reconciliationKey: { attribute: 'email', normalization } });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  beforeAll(async () => {
    ims = await ImsTestClient.start(env);
    idrec = await launchService('id-reconciliation', env.serviceEnv('id-reconciliation', ims.trustEnv));
    tenant = await ims.tenant(['identities.read', 'identities.write']);
  });

  afterAll(async () => {
    await idrec?.stop();
    await ims?.stop();
  });

  it('refuses an id that is not an ECID for the visitor source with 400 problem+json naming its index', async () => {
    const answer = await api('POST', '/v1/resolve', { dataSourceId: 'visitor', direction: 'to-recipients', ids: [ecid, ecid.slice(1), ecid] });
    expect(answer).toEqual({
      status: 400,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      body: {
        type: 'https://audience-hub.dev/problems/validation',
        title: 'Invalid request',
        status: 400,
        detail: 'The request does not match the expected shape.',
        errors: ['ids.1: ECID must be exactly 38 decimal digits'],
        instance: '/v1/resolve',
      },
    });
    expect(await api('POST', '/v1/resolve', { dataSourceId: 'visitor', direction: 'to-recipients', ids: [ecid] })).toMatchObject({
      status: 200,
      body: { matched: [], unmatched: [ecid] },
    });
  });

  it('checks declared ids as they are looked up, after the source normalisation', async () => {
    const trimmed = await declaredSource('Trimmed email', ['trim', 'lowercase']);
    const refused = await api('POST', '/v1/resolve', { dataSourceId: trimmed, direction: 'to-recipients', ids: ['Ann@Example.com', 'a:b', '   ', ' Bob@Example.com '] });
    expect(refused).toMatchObject({ status: 400, body: { type: 'https://audience-hub.dev/problems/validation' } });
    expect(refused.body.errors).toEqual(['ids.1: declared ID must not contain ":"', 'ids.2: declared ID must not be empty after normalisation']);

    // Hashed, an id with ":" is a declared id like any other.
    const hashed = await declaredSource('Hashed email', ['trim', 'lowercase', 'sha256']);
    expect(await api('POST', '/v1/resolve', { dataSourceId: hashed, direction: 'to-recipients', ids: ['a:b'] })).toMatchObject({ status: 200, body: { unmatched: ['a:b'] } });
  });

  it('refuses an id that is not a recipient id to-xc, and answers an unknown data source 404 first', async () => {
    const answer = await api('POST', '/v1/resolve', { dataSourceId: 'visitor', direction: 'to-xc', ids: ['r1', 'ann@example.com', 'x'.repeat(65)] });
    expect(answer).toMatchObject({ status: 400, body: { type: 'https://audience-hub.dev/problems/validation' } });
    expect(answer.body.errors).toEqual([
      'ids.1: recipient id must be 1..64 characters of A-Z a-z 0-9 . _ : -',
      'ids.2: recipient id must be 1..64 characters of A-Z a-z 0-9 . _ : -',
    ]);
    expect((await api('POST', '/v1/resolve', { dataSourceId: 'nope', direction: 'to-xc', ids: ['not a recipient'] })).status).toBe(404);
  });
});
