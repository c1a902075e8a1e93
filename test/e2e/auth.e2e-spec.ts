import { createHmac } from 'node:crypto';
import { Client } from 'pg';
import { generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { DEFAULT_IMS_ISSUER } from '@audience-hub/platform';
import { launchStack, testEnv, waitFor, type ImsTestClient, type RunningService, type Stack, type Tenant } from '@audience-hub/testing';
import { KeyEncryption } from '../../apps/ims/src/keys/key-encryption';

const env = testEnv();

/**
 * Every service refuses every kind of bad token with 401 problem+json, and a missing scope with
 * 403. Tokens that need IMS's real signing key (wrong issuer, expired…) are forged with it, read
 * from the IMS database with the master key, as only an insider could. Requests are plain fetch,
 * not the client: the client fetches, refreshes and retries tokens, and this spec is about exactly
 * which token reaches which service and what the HTTP answer is.
 */
describe('IMS tokens at every service', () => {
  let stack: Stack;
  let ims: ImsTestClient;
  const services: RunningService[] = [];
  let tenant: Tenant;
  let reader: Tenant;
  let imsKey: { kid: string; alg: string; key: CryptoKey; publicJwk: JWK };
  const routes: Record<string, () => string> = {};

  beforeAll(async () => {
    stack = await launchStack(env, { services: ['id-reconciliation', 'audience-import', 'audience-export'] });
    ims = stack.ims;
    services.push(...stack.services);
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'identities.read', 'identities.write', 'policies.write', 'ims.admin']);
    reader = await ims.tenant(['audiences.read']);
    const [idrec, importer, exporter] = services;
    Object.assign(routes, {
      ims: () => `${ims.url}/v1/orgs/${encodeURIComponent(tenant.orgId)}/technical-accounts`,
      'id-reconciliation': () => `${idrec.url}/v1/data-sources`,
      'audience-import': () => `${importer.url}/v1/imports`,
      'audience-export': () => `${exporter.url}/v1/shared-audiences`,
    });
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    const { rows } = await db.query(`SELECT kid, alg, public_jwk, private_key_enc FROM ims.signing_keys WHERE retired_at IS NULL`);
    await db.end();
    const privateJwk = JSON.parse(new KeyEncryption(Buffer.from(ims.masterKey, 'base64')).decrypt(rows[0].private_key_enc, rows[0].kid)) as JWK;
    imsKey = { kid: rows[0].kid, alg: rows[0].alg, key: (await importJWK(privateJwk, rows[0].alg)) as CryptoKey, publicJwk: rows[0].public_jwk };
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = () => ({ sub: tenant.accountId, client_id: tenant.clientId, org: tenant.orgId, scope: 'audiences.read identities.read ims.admin', jti: 'forged' });

  async function forge(options: { key?: CryptoKey; kid?: string; iss?: string; aud?: string; exp?: number; nbf?: number } = {}): Promise<string> {
    const jwt = new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? imsKey.kid, typ: 'at+jwt' })
      .setIssuer(options.iss ?? DEFAULT_IMS_ISSUER)
      .setAudience(options.aud ?? 'audience-hub')
      .setIssuedAt(now() - 3600)
      .setExpirationTime(options.exp ?? now() + 3600);
    if (options.nbf) jwt.setNotBefore(options.nbf);
    return jwt.sign(options.key ?? imsKey.key);
  }

  async function status(service: string, authorization?: string): Promise<{ status: number; type: string | null }> {
    const response = await fetch(routes[service](), { headers: authorization ? { authorization } : {} });
    await response.text();
    return { status: response.status, type: response.headers.get('content-type') };
  }

  const SERVICES = ['ims', 'id-reconciliation', 'audience-import', 'audience-export'];

  it('accepts a real token (the control case)', async () => {
    for (const service of SERVICES) expect([service, (await status(service, tenant.auth.authorization)).status]).toEqual([service, 200]);
  });

  const badTokens: Array<[string, () => Promise<string | undefined>]> = [
    ['no token', async () => undefined],
    [
      'alg none',
      async () =>
        `Bearer ${b64({ alg: 'none', typ: 'at+jwt', kid: imsKey.kid })}.${b64({ ...claims(), iss: DEFAULT_IMS_ISSUER, aud: 'audience-hub', iat: now(), exp: now() + 600 })}.`,
    ],
    [
      'HS256 signed with the public key as secret',
      async () => {
        const head = b64({ alg: 'HS256', typ: 'at+jwt', kid: imsKey.kid });
        const body = b64({ ...claims(), iss: DEFAULT_IMS_ISSUER, aud: 'audience-hub', iat: now(), exp: now() + 600 });
        return `Bearer ${head}.${body}.${createHmac('sha256', JSON.stringify(imsKey.publicJwk)).update(`${head}.${body}`).digest('base64url')}`;
      },
    ],
    [
      'tampered payload',
      async () => {
        const [head, , signature] = tenant.token.split('.');
        const payload = JSON.parse(Buffer.from(tenant.token.split('.')[1], 'base64url').toString());
        return `Bearer ${head}.${b64({ ...payload, scope: `${payload.scope} ims.admin`, org: reader.orgId })}.${signature}`;
      },
    ],
    ['wrong issuer', async () => `Bearer ${await forge({ iss: 'https://evil.example/ims' })}`],
    ['wrong audience', async () => `Bearer ${await forge({ aud: 'another-api' })}`],
    ['expired beyond the leeway', async () => `Bearer ${await forge({ exp: now() - 120 })}`],
    ['not yet valid', async () => `Bearer ${await forge({ nbf: now() + 600 })}`],
    ['unknown kid', async () => `Bearer ${await forge({ key: (await generateKeyPair('ES256')).privateKey, kid: 'kid-nobody-published' })}`],
    ['signed by another key pair', async () => `Bearer ${await forge({ key: (await generateKeyPair('ES256')).privateKey })}`],
  ];

  it.each(badTokens)('answers 401 problem+json at every service for %s', async (_, token) => {
    const authorization = await token();
    for (const service of SERVICES) {
      const answer = await status(service, authorization);
      expect([service, answer.status, answer.type?.split(';')[0]]).toEqual([service, 401, 'application/problem+json']);
    }
  });

  it('answers 403 when the token lacks the scope the route needs', async () => {
    for (const service of ['id-reconciliation', 'ims']) {
      const answer = await status(service, reader.auth.authorization);
      expect([service, answer.status]).toEqual([service, 403]);
    }
    const write = await fetch(routes['audience-export'](), {
      method: 'POST',
      headers: { ...reader.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ segmentName: 'x', dataSourceId: 'visitor' }),
    });
    expect(write.status).toBe(403);
  });

  it("keeps old tokens valid across a signing-key rotation and accepts the new key's tokens", async () => {
    const before = tenant.token;
    // a platform-wide action: the platform operator's (ims.platform), not a tenant admin's
    const rotated = await fetch(`${ims.url}/v1/signing-keys/rotate`, { method: 'POST', headers: await ims.admin() });
    expect(rotated.status).toBeLessThan(300);
    const after = await ims.token(tenant.clientId, tenant.clientSecret);
    expect(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString()).kid).not.toBe(imsKey.kid);
    for (const service of SERVICES) {
      expect([service, (await status(service, `Bearer ${before}`)).status]).toEqual([service, 200]);
      // The new kid is unknown to the cached JWKS: refetched (at most once per cooldown).
      await waitFor(`${service} accepts the new key`, async () => (await status(service, `Bearer ${after}`)).status === 200, { timeoutMs: 10_000 });
    }
  });

  it("refuses a revoked account's tokens at every service within seconds", async () => {
    const victim = await ims.tenant(['audiences.read', 'identities.read', 'ims.admin']);
    const victimRoute = (service: string) => (service === 'ims' ? `${ims.url}/v1/orgs/${encodeURIComponent(victim.orgId)}/technical-accounts` : routes[service]());
    for (const service of SERVICES) expect([service, (await fetch(victimRoute(service), { headers: victim.auth })).status]).toEqual([service, 200]);
    const revoked = await fetch(`${ims.url}/v1/technical-accounts/${victim.accountId}/revoke`, { method: 'POST', headers: victim.auth });
    expect(revoked.status).toBeLessThan(300);
    for (const service of SERVICES) {
      await waitFor(`${service} refuses the revoked token`, async () => (await fetch(victimRoute(service), { headers: victim.auth })).status === 401, { timeoutMs: 10_000 });
    }
  });
});
