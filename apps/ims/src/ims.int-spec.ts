import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import { createLocalJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { EventTypes, Topics } from '@audience-hub/contracts';
import { freePort, KafkaProbe, launchService, newOrgId, testEnv, type RunningService, testImsMasterKey, waitFor } from '@audience-hub/testing';
import { KeyEncryption } from './keys/key-encryption';

/** The IMS as its own process, driven over HTTP like an OAuth client and an org admin would. */
const env = testEnv();
// The run's key: every IMS of a test run shares the test database and so its signing keys.
const masterKey = Buffer.from(testImsMasterKey(), 'base64');
const admin = { orgId: newOrgId(), clientId: `admin-${randomBytes(4).toString('hex')}`, clientSecret: `p8e-${randomBytes(32).toString('base64url')}` };
/** Every secret seen in clear during the run: none of them may be found in the database. */
const seenSecrets: string[] = [admin.clientSecret];

/** Both instances of the suite name the first one's address as their issuer (its public base URL). */
let issuer: string;

const imsEnv = (extra: Record<string, string> = {}) =>
  env.serviceEnv('ims', {
    IMS_MASTER_KEY: masterKey.toString('base64'),
    IMS_BOOTSTRAP_ORG_NAME: 'Test org',
    IMS_BOOTSTRAP_ORG_ID: admin.orgId,
    IMS_BOOTSTRAP_CLIENT_ID: admin.clientId,
    IMS_BOOTSTRAP_CLIENT_SECRET: admin.clientSecret,
    IMS_ISSUER: issuer,
    // the suite asks for many tokens from one address: the per-address rate is tested on its own instance
    IMS_TOKEN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '10000',
    ...extra,
  });

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

function requestToken(ims: RunningService, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return fetch(`${ims.url}/ims/token/v3`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  }).then(answer);
}

/** The same request from another calling address (any 127.x.y.z reaches the loopback listener). */
function requestTokenFrom(localAddress: string, ims: RunningService, params: Record<string, string>): Promise<Answer> {
  const body = new URLSearchParams(params).toString();
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      `${ims.url}/ims/token/v3`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text), headers: new Headers(response.headers as Record<string, string>) }));
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

const credentials = (clientId: string, clientSecret: string, scope?: string) => ({
  grant_type: 'client_credentials',
  client_id: clientId,
  client_secret: clientSecret,
  ...(scope === undefined ? {} : { scope }),
});

async function tokenFor(ims: RunningService, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const { status, body } = await requestToken(ims, credentials(clientId, clientSecret, scope));
  if (status !== 200) throw new Error(`token for ${clientId}: ${status} ${JSON.stringify(body)}`);
  return body.access_token;
}

function api(ims: RunningService, method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  return fetch(`${ims.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(answer);
}

const validate = (ims: RunningService, token: string) =>
  fetch(`${ims.url}/ims/validate_token/v1`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ type: 'access_token', token }),
  }).then(answer);

async function jwks(ims: RunningService): Promise<JWK[]> {
  return (await answer(await fetch(`${ims.url}/ims/keys`))).body.keys;
}

describe('ims', () => {
  let ims: RunningService;
  let adminToken: string;
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });

  /** A fresh account of the admin's org, with its first secret. */
  async function createAccount(scopes: string[], token = adminToken, orgId = admin.orgId) {
    const created = await api(ims, 'POST', `/v1/orgs/${orgId}/technical-accounts`, token, { name: 'reporting', scopes });
    if (created.status !== 201) throw new Error(`create account: ${created.status} ${JSON.stringify(created.body)}`);
    seenSecrets.push(created.body.clientSecret);
    return created.body as { id: string; clientId: string; clientSecret: string; secretId: string };
  }

  beforeAll(async () => {
    await db.connect();
    await probe.listen([Topics.imsEvents]);
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/ims`;
    ims = await launchService('ims', imsEnv({ PORT: String(port) }));
    // every scope: an admin grants only scopes its token holds
    adminToken = await tokenFor(ims, admin.clientId, admin.clientSecret);
  });

  afterAll(async () => {
    await ims?.stop();
    await probe.close();
    await db.end();
  });

  describe('token endpoint', () => {
    it('issues an RFC 9068 access token that verifies against /ims/keys', async () => {
      const account = await createAccount(['audiences.read', 'identities.read']);
      const { status, body, headers } = await requestToken(ims, credentials(account.clientId, account.clientSecret, 'audiences.read'));
      expect(status).toBe(200);
      expect(headers.get('cache-control')).toBe('no-store');
      expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 86_400 });

      const { payload, protectedHeader } = await jwtVerify(body.access_token, createLocalJWKSet({ keys: await jwks(ims) }), {
        algorithms: ['ES256'],
        typ: 'at+jwt',
        issuer,
        audience: 'audience-hub',
      });
      expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
      expect(payload).toEqual({
        iss: issuer,
        sub: account.id,
        aud: 'audience-hub',
        client_id: account.clientId,
        org: admin.orgId,
        scope: 'audiences.read',
        iat: expect.any(Number),
        exp: payload.iat! + 86_400,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        client_secret_id: account.secretId,
      });
    });

    it('grants every scope of the account when none is asked, and reads comma or space lists and Basic auth', async () => {
      const account = await createAccount(['audiences.read', 'identities.read']);
      const all = await tokenFor(ims, account.clientId, account.clientSecret);
      expect((await validate(ims, all)).body.claims.scope).toBe('audiences.read identities.read');
      const basic = `Basic ${Buffer.from(`${account.clientId}:${account.clientSecret}`).toString('base64')}`;
      const viaBasic = await requestToken(ims, { grant_type: 'client_credentials', scope: 'identities.read,audiences.read' }, { authorization: basic });
      expect(viaBasic.status).toBe(200);
      expect((await validate(ims, viaBasic.body.access_token)).body.claims.scope).toBe('identities.read audiences.read');
    });

    it('answers invalid_client (401, Basic challenge) for a bad secret or an unknown client', async () => {
      const account = await createAccount(['audiences.read']);
      for (const params of [credentials(account.clientId, `${account.clientSecret}x`), credentials('no-such-client', account.clientSecret)]) {
        const { status, body, headers } = await requestToken(ims, params);
        expect(status).toBe(401);
        expect(headers.get('www-authenticate')).toMatch(/^Basic realm=/);
        expect(headers.get('content-type')).toMatch(/^application\/json/);
        expect(body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
      }
    });

    it('answers invalid_scope for a scope the account does not hold', async () => {
      const account = await createAccount(['audiences.read']);
      const { status, body } = await requestToken(ims, credentials(account.clientId, account.clientSecret, 'audiences.read ims.admin'));
      expect(status).toBe(400);
      expect(body).toEqual({ error: 'invalid_scope', error_description: expect.stringContaining('ims.admin') });
    });

    it('answers unsupported_grant_type and invalid_request', async () => {
      const wrongGrant = await requestToken(ims, { grant_type: 'password', username: 'u', password: 'p' });
      expect(wrongGrant).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
      const noSecret = await requestToken(ims, { grant_type: 'client_credentials', client_id: admin.clientId });
      expect(noSecret).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    });

    it('publishes discovery metadata at {issuer}/.well-known/openid-configuration and at the RFC 8414 address', async () => {
      expect(issuer).toBe(`${ims.url}/ims`);
      const openId = await answer(await fetch(`${issuer}/.well-known/openid-configuration`));
      expect(openId.status).toBe(200);
      expect(openId.body).toMatchObject({
        issuer,
        token_endpoint: `${ims.url}/ims/token/v3`,
        jwks_uri: `${ims.url}/ims/keys`,
        grant_types_supported: ['client_credentials'],
      });
      const rfc8414 = await answer(await fetch(`${ims.url}/.well-known/oauth-authorization-server/ims`));
      expect(rfc8414).toMatchObject({ status: 200, body: openId.body });
    });

    it('validate_token refuses a token signed by a key it does not publish', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({ client_id: admin.clientId, org: admin.orgId, scope: 'ims.admin', jti: 'x' })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: decodeProtectedHeader(adminToken).kid! })
        .setIssuer(issuer)
        .setAudience('audience-hub')
        .setSubject('ta-forged')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
      expect((await validate(ims, forged)).body).toEqual({ valid: false, reason: 'token signature is invalid' });
      expect((await validate(ims, 'not-a-token')).body).toEqual({ valid: false, reason: 'token is malformed' });
      expect((await validate(ims, adminToken)).body).toMatchObject({ valid: true, claims: { org: admin.orgId } });
      // and the admin API refuses it the same way
      const refused = await api(ims, 'GET', `/v1/orgs/${admin.orgId}/technical-accounts`, forged);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });
  });

  describe('admin API', () => {
    it('needs a valid token (401) holding ims.admin (403), as problem+json', async () => {
      const none = await api(ims, 'GET', `/v1/orgs/${admin.orgId}/technical-accounts`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(none.body).toMatchObject({ type: expect.stringContaining('invalid-token'), status: 401 });
      const reader = await createAccount(['audiences.read']);
      const readerToken = await tokenFor(ims, reader.clientId, reader.clientSecret);
      const forbidden = await api(ims, 'GET', `/v1/orgs/${admin.orgId}/technical-accounts`, readerToken);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ type: expect.stringContaining('insufficient-scope'), requiredScopes: ['ims.admin'] });
    });

    it("lets an org admin manage only its own org's accounts (others answer 404)", async () => {
      // the platform operator (the bootstrap account) creates the org
      const created = await api(ims, 'POST', '/v1/orgs', adminToken, { name: 'Other org', adminAccount: { name: 'other admin', scopes: ['ims.admin', 'audiences.read'] } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ orgId: expect.stringMatching(/^[0-9A-F]{24}@AdobeOrg$/), adminAccount: expect.objectContaining({ clientSecret: expect.any(String) }) });
      seenSecrets.push(created.body.adminAccount.clientSecret);
      const otherOrg = created.body.orgId as string;
      const otherToken = await tokenFor(ims, created.body.adminAccount.clientId, created.body.adminAccount.clientSecret);

      const mine = await createAccount(['audiences.read']);
      expect((await api(ims, 'GET', `/v1/technical-accounts/${mine.id}`, otherToken)).status).toBe(404);
      expect((await api(ims, 'POST', `/v1/technical-accounts/${mine.id}/revoke`, otherToken)).status).toBe(404);
      expect((await api(ims, 'POST', `/v1/technical-accounts/${mine.id}/secrets`, otherToken)).status).toBe(404);
      expect((await api(ims, 'GET', `/v1/orgs/${admin.orgId}/technical-accounts`, otherToken)).status).toBe(404);
      expect((await api(ims, 'POST', `/v1/orgs/${admin.orgId}/technical-accounts`, otherToken, { name: 'x', scopes: ['audiences.read'] })).status).toBe(404);
      // in its own org it works, but it cannot grant scopes it does not hold
      await createAccount(['audiences.read'], otherToken, otherOrg);
      const escalation = await api(ims, 'POST', `/v1/orgs/${otherOrg}/technical-accounts`, otherToken, { name: 'x', scopes: ['identities.write'] });
      expect(escalation).toMatchObject({ status: 403, body: { type: expect.stringContaining('scope-not-held') } });
      expect((await api(ims, 'GET', `/v1/technical-accounts/${mine.id}`, adminToken)).body).toMatchObject({ id: mine.id, orgId: admin.orgId, status: 'active' });
    });

    it('validates bodies and pages lists', async () => {
      const bad = await api(ims, 'POST', `/v1/orgs/${admin.orgId}/technical-accounts`, adminToken, { name: '', scopes: ['root'] });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const ids = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: Answer = await api(ims, 'GET', `/v1/orgs/${admin.orgId}/technical-accounts?limit=2${cursor ? `&cursor=${cursor}` : ''}`, adminToken);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        for (const item of page.body.items) ids.add(item.id);
        cursor = page.body.nextCursor;
      } while (cursor);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM ims.technical_accounts WHERE org_id = $1`, [admin.orgId]);
      expect(ids.size).toBe(rows[0].n);
    });
  });

  describe('roles', () => {
    /** Every platform-wide route of the IMS: it needs ims.platform, which org admins lack. */
    // Three members each: with fewer, it.each would pass its `done` callback as the body.
    const PLATFORM_ROUTES: Array<[method: string, path: string, body: unknown]> = [
      ['POST', '/v1/orgs', { name: 'Tenant-made org' }],
      ['POST', '/v1/signing-keys/rotate', undefined],
    ];

    /** A new org made by the platform operator, with its default first admin, and that admin's token. */
    async function newOrgAdmin() {
      const created = await api(ims, 'POST', '/v1/orgs', adminToken, { name: 'Tenant', adminAccount: { name: 'tenant admin' } });
      expect(created.status).toBe(201);
      seenSecrets.push(created.body.adminAccount.clientSecret);
      const account = created.body.adminAccount;
      return { orgId: created.body.orgId as string, account, token: await tokenFor(ims, account.clientId, account.clientSecret) };
    }

    it("gives a new org's first admin every org scope but ims.platform", async () => {
      const { account } = await newOrgAdmin();
      expect(account.scopes).toEqual([
        'audiences.read',
        'audiences.write',
        'identities.read',
        'identities.write',
        'policies.write',
        'ims.admin',
        'audit.read',
        'dead-letters.manage',
        'privacy.read',
        'privacy.write',
      ]);
    });

    it.each(PLATFORM_ROUTES)('answers an org admin 403 problem+json on %s %s', async (method, path, body) => {
      const orgAdmin = await newOrgAdmin();
      const refused = await api(ims, method, path, orgAdmin.token, body);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ type: expect.stringContaining('insufficient-scope'), status: 403, requiredScopes: ['ims.platform'] });
    });

    it('lets the platform operator create orgs (signing key rotation below), and an account it grants ims.platform too', async () => {
      expect((await api(ims, 'POST', '/v1/orgs', adminToken, { name: 'By the bootstrap operator' })).status).toBe(201);
      const operator = await createAccount(['ims.platform']);
      const operatorToken = await tokenFor(ims, operator.clientId, operator.clientSecret);
      expect((await api(ims, 'POST', '/v1/orgs', operatorToken, { name: 'By a second operator' })).status).toBe(201);
    });

    it('lets an org admin manage its own org, but never grant ims.platform', async () => {
      const orgAdmin = await newOrgAdmin();
      const path = `/v1/orgs/${orgAdmin.orgId}/technical-accounts`;
      const reader = await api(ims, 'POST', path, orgAdmin.token, { name: 'reader', scopes: ['audiences.read'] });
      expect(reader.status).toBe(201);
      seenSecrets.push(reader.body.clientSecret);
      expect((await api(ims, 'POST', `/v1/technical-accounts/${reader.body.id}/secrets`, orgAdmin.token)).status).toBe(201);
      expect((await api(ims, 'POST', `/v1/technical-accounts/${reader.body.id}/revoke`, orgAdmin.token)).status).toBe(200);
      const escalation = await api(ims, 'POST', path, orgAdmin.token, { name: 'operator', scopes: ['ims.platform'] });
      expect(escalation.status).toBe(403);
      expect(escalation.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(escalation.body).toMatchObject({ type: expect.stringContaining('scope-not-held'), detail: expect.stringContaining('ims.platform') });
      const withOrg = await api(ims, 'POST', '/v1/orgs', orgAdmin.token, { name: 'x', adminAccount: { name: 'y', scopes: ['ims.platform'] } });
      expect(withOrg.status).toBe(403);
    });
  });

  describe('client secret rotation', () => {
    it('keeps the account working across a rotation: two live secrets, then the old one removed', async () => {
      const account = await createAccount(['audiences.read']);
      const oldToken = await tokenFor(ims, account.clientId, account.clientSecret);

      const added = await api(ims, 'POST', `/v1/technical-accounts/${account.id}/secrets`, adminToken);
      expect(added.status).toBe(201);
      expect(added.body).toEqual({ secretId: expect.any(String), clientSecret: expect.any(String) });
      seenSecrets.push(added.body.clientSecret);
      // both secrets live at once: clients switch without downtime
      await tokenFor(ims, account.clientId, account.clientSecret);
      const newToken = await tokenFor(ims, account.clientId, added.body.clientSecret);

      const third = await api(ims, 'POST', `/v1/technical-accounts/${account.id}/secrets`, adminToken);
      expect(third.status).toBe(409);
      expect(third.body).toMatchObject({ type: expect.stringContaining('too-many-secrets'), status: 409 });

      const removed = await api(ims, 'DELETE', `/v1/technical-accounts/${account.id}/secrets/${account.secretId}`, adminToken);
      expect(removed.status).toBe(204);
      expect((await requestToken(ims, credentials(account.clientId, account.clientSecret))).body.error).toBe('invalid_client');
      await tokenFor(ims, account.clientId, added.body.clientSecret);
      expect((await validate(ims, newToken)).body.valid).toBe(true);
      expect((await validate(ims, oldToken)).body).toEqual({ valid: false, reason: 'client secret revoked' });

      const [event] = await probe.waitFor('secret revocation event', (m) => m.json?.data?.secretId === account.secretId);
      expect(event.json).toMatchObject({
        type: EventTypes.imsTechnicalAccountRevoked,
        orgid: admin.orgId,
        data: { technicalAccountId: account.id, clientId: account.clientId, secretId: account.secretId },
      });
      const view = await api(ims, 'GET', `/v1/technical-accounts/${account.id}`, adminToken);
      expect(view.body.secrets).toEqual([{ secretId: added.body.secretId, createdAt: expect.any(String) }]);
      expect((await api(ims, 'DELETE', `/v1/technical-accounts/${account.id}/secrets/${account.secretId}`, adminToken)).status).toBe(404);
    });
  });

  describe('signing key rotation', () => {
    it('signs new tokens with the new kid and keeps the old key published for the old tokens', async () => {
      const account = await createAccount(['audiences.read']);
      const before = await tokenFor(ims, account.clientId, account.clientSecret);
      const oldKid = decodeProtectedHeader(before).kid;

      const rotated = await api(ims, 'POST', '/v1/signing-keys/rotate', adminToken);
      expect(rotated.status).toBe(200);
      expect(rotated.body).toEqual({ kid: expect.any(String), previousKid: oldKid, previousPublishedUntil: expect.any(String) });
      expect(rotated.body.kid).not.toBe(oldKid);

      const after = await tokenFor(ims, account.clientId, account.clientSecret);
      expect(decodeProtectedHeader(after).kid).toBe(rotated.body.kid);
      const keys = await jwks(ims);
      expect(keys.map((key) => key.kid)).toEqual(expect.arrayContaining([oldKid, rotated.body.kid]));
      const keySet = createLocalJWKSet({ keys });
      for (const token of [before, after, adminToken]) {
        await expect(jwtVerify(token, keySet, { algorithms: ['ES256'], issuer, audience: 'audience-hub' })).resolves.toBeDefined();
        expect((await validate(ims, token)).body.valid).toBe(true);
      }
      await probe.waitFor('rotation event', (m) => m.json?.type === EventTypes.imsSigningKeyRotated && m.json.data.kid === rotated.body.kid);
      const { rows } = await db.query(`SELECT private_key_enc FROM ims.signing_keys WHERE kid = $1`, [oldKid]);
      expect(rows[0].private_key_enc).toBeNull(); // a retired key can no longer sign
    });
  });

  describe('revocation', () => {
    it('publishes ims.technical-account.revoked and refuses the account from then on', async () => {
      const account = await createAccount(['ims.admin', 'audiences.read']);
      const token = await tokenFor(ims, account.clientId, account.clientSecret);
      expect((await api(ims, 'GET', `/v1/technical-accounts/${account.id}`, token)).status).toBe(200);

      const revoked = await api(ims, 'POST', `/v1/technical-accounts/${account.id}/revoke`, adminToken);
      expect(revoked).toMatchObject({ status: 200, body: { id: account.id, status: 'revoked', revokedAt: expect.any(String) } });
      const [event] = await probe.waitFor(
        'account revocation event',
        (m) => m.json?.type === EventTypes.imsTechnicalAccountRevoked && m.json.data.technicalAccountId === account.id && !m.json.data.secretId,
      );
      expect(event.key).toBe(`${admin.orgId}:${account.id}`);
      expect(event.json.data).toEqual({ technicalAccountId: account.id, clientId: account.clientId, revokedAt: revoked.body.revokedAt });

      expect((await validate(ims, token)).body).toEqual({ valid: false, reason: 'technical account revoked' });
      expect((await requestToken(ims, credentials(account.clientId, account.clientSecret))).body.error).toBe('invalid_client');
      expect((await api(ims, 'GET', `/v1/technical-accounts/${account.id}`, token)).status).toBe(401);
      // revoking again is a no-op: no second event
      expect((await api(ims, 'POST', `/v1/technical-accounts/${account.id}/revoke`, adminToken)).status).toBe(200);
      expect((await api(ims, 'POST', `/v1/technical-accounts/${account.id}/secrets`, adminToken)).status).toBe(409);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM ims.outbox_events WHERE message_key = $1 AND message_value NOT LIKE '%secretId%'`, [
        `${admin.orgId}:${account.id}`,
      ]);
      expect(rows[0].n).toBe(1);
    });
  });

  describe('a second instance on the same database', () => {
    let second: RunningService;
    beforeAll(async () => {
      // as if the bootstrap account predated ims.platform: the next start gives it back
      await db.query(`UPDATE ims.technical_accounts SET scopes = array_remove(scopes, 'ims.platform') WHERE client_id = $1`, [admin.clientId]);
      second = await launchService('ims', imsEnv());
    });
    afterAll(() => second?.stop());

    it('found the bootstrap account already there (bootstrap is idempotent) and gave it ims.platform', async () => {
      const { rows } = await db.query(`SELECT org_id, scopes FROM ims.technical_accounts WHERE client_id = $1`, [admin.clientId]);
      expect(rows).toEqual([{ org_id: admin.orgId, scopes: expect.arrayContaining(['ims.platform', 'ims.admin']) }]);
      expect((await validate(second, adminToken)).body.valid).toBe(true);
    });

    /** The brake's row of a client id (the test calls from 127.0.0.1, and from 127.0.0.2 only with the right secret). */
    const failureRow = async (clientId: string) =>
      (
        await db.query(
          `SELECT address, failures, extract(epoch FROM locked_until - last_failure_at)::float8 AS "lockSeconds", locked_until <= now() AS "lockOver"
             FROM ims.token_failures WHERE client_id = $1`,
          [clientId],
        )
      ).rows;

    it('shares the brute-force brake: 5 wrong secrets over both instances lock the client id at that address, 1 s doubling, capped at 5 min', async () => {
      const account = await createAccount(['audiences.read']);
      const wrong = credentials(account.clientId, 'wrong-secret');
      const right = credentials(account.clientId, account.clientSecret);
      for (const instance of [ims, second, ims, second, ims]) expect((await requestToken(instance, wrong)).status).toBe(401);
      // both instances refuse the sixth attempt, the right secret included
      for (const instance of [second, ims]) {
        const locked = await requestToken(instance, right);
        expect(locked).toMatchObject({ status: 429, body: { error: 'temporarily_unavailable', error_description: expect.stringContaining('retry') } });
        expect(locked.headers.get('retry-after')).toBe('1');
      }
      // the right secret from another address is not locked out
      expect((await requestTokenFrom('127.0.0.2', second, right)).status).toBe(200);
      expect(await failureRow(account.clientId)).toEqual([{ address: '127.0.0.1', failures: 5, lockSeconds: 1, lockOver: expect.any(Boolean) }]);

      // once the lock is over, one more wrong secret locks the pair for twice as long
      await waitFor('the first lock to end', async () => (await failureRow(account.clientId))[0].lockOver);
      expect((await requestToken(second, wrong)).status).toBe(401);
      const again = await requestToken(ims, right);
      expect(again.status).toBe(429);
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(again.headers.get('retry-after'))).toBeLessThanOrEqual(2);
      expect(await failureRow(account.clientId)).toEqual([expect.objectContaining({ failures: 6, lockSeconds: 2 })]);

      // the right secret after the lock clears the pair
      await waitFor('the second lock to end', async () => (await failureRow(account.clientId))[0].lockOver);
      expect((await requestToken(second, right)).status).toBe(200);
      expect(await failureRow(account.clientId)).toEqual([]);

      // a long run of failures is capped at 5 minutes
      await db.query(`INSERT INTO ims.token_failures (client_id, address, failures, last_failure_at) VALUES ($1, '127.0.0.1', 40, now())`, [account.clientId]);
      expect((await requestToken(ims, wrong)).status).toBe(401);
      expect(await failureRow(account.clientId)).toEqual([expect.objectContaining({ failures: 41, lockSeconds: 300 })]);
      const capped = await requestToken(second, right);
      expect(capped.status).toBe(429);
      expect(Number(capped.headers.get('retry-after'))).toBeGreaterThanOrEqual(299);
      expect(Number(capped.headers.get('retry-after'))).toBeLessThanOrEqual(300);
    });

    it('gives a burst sent at once to both instances no more attempts than a sequence', async () => {
      const account = await createAccount(['audiences.read']);
      const wrong = credentials(account.clientId, 'wrong-secret');
      expect((await requestToken(ims, wrong)).status).toBe(401);
      const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => requestToken(i % 2 === 0 ? ims : second, wrong)));
      expect(burst.filter((a) => a.status === 401)).toHaveLength(4); // the 2nd to 5th failures
      expect(burst.filter((a) => a.status === 429)).toHaveLength(6);
    });

    it('counts the refusals in its metrics', async () => {
      for (const instance of [ims, second]) {
        const metrics = await (await fetch(`${instance.url}/metrics`)).text();
        expect(metrics).toMatch(/^ims_token_refusals_total\{[^}]*reason="locked"[^}]*\} [1-9]/m);
        expect(metrics).toMatch(/^ims_token_refusals_total\{[^}]*reason="invalid_client"[^}]*\} [1-9]/m);
      }
    });
  });

  describe('an instance with a tight rate per address', () => {
    let third: RunningService;
    beforeAll(async () => {
      third = await launchService('ims', imsEnv({ IMS_TOKEN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3' }));
    });
    afterAll(() => third?.stop());

    it('answers an address over its rate 429 with Retry-After before hashing anything, right secret or not, and counts it', async () => {
      const account = await createAccount(['audiences.read']);
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await requestToken(third, credentials(i % 2 ? account.clientId : `unknown-${i}`, i % 2 ? account.clientSecret : 'guess')));
      expect(answers.map((a) => a.status)).toEqual([401, 200, 401, 429]);
      expect(Number(answers[3].headers.get('retry-after'))).toBeGreaterThan(0);
      expect(answers[3].body).toEqual({ error: 'temporarily_unavailable', error_description: expect.stringContaining('retry') });
      // the rate is this instance's: the first one still answers the same address
      expect((await requestToken(ims, credentials(account.clientId, account.clientSecret))).status).toBe(200);
      expect(await (await fetch(`${third.url}/metrics`)).text()).toMatch(/^ims_token_refusals_total\{[^}]*reason="rate_limited"[^}]*\} 1$/m);
    });
  });

  describe('storage', () => {
    it('keeps no client secret and no private signing key in clear', async () => {
      const { rows: tables } = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'ims' AND table_type = 'BASE TABLE'`);
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['client_secrets', 'signing_keys', 'outbox_events']));
      let dump = '';
      for (const { table_name: table } of tables) {
        const { rows } = await db.query(`SELECT t::text AS row FROM ims."${table}" t`);
        dump += rows.map((row) => row.row).join('\n');
      }
      expect(seenSecrets.length).toBeGreaterThan(10);
      for (const secret of seenSecrets) expect(dump).not.toContain(secret);
      expect(dump).not.toMatch(/"d":\s*"/); // no private JWK member anywhere
      expect(dump).not.toContain('PRIVATE KEY');

      const { rows: hashes } = await db.query(`SELECT secret_hash FROM ims.client_secrets`);
      for (const { secret_hash: hash } of hashes) expect(hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);

      // the current private key is sealed under the master key, and it is the one the JWKS publishes
      const { rows: keys } = await db.query(`SELECT kid, private_key_enc FROM ims.signing_keys WHERE retired_at IS NULL`);
      expect(keys).toHaveLength(1);
      const privateJwk = JSON.parse(new KeyEncryption(masterKey).decrypt(keys[0].private_key_enc, keys[0].kid)) as JWK;
      const published = (await jwks(ims)).find((key) => key.kid === keys[0].kid)!;
      expect({ x: privateJwk.x, y: privateJwk.y }).toEqual({ x: published.x, y: published.y });
      expect(privateJwk.d).toBeDefined();
    });
  });
});
