import { Client } from 'pg';
import { AuditActions, Topics } from '@audience-hub/contracts';
import { expectAppendOnlyForServiceRole, ImsTestClient, restCall, testEnv, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/** The IMS's audit trail, through its REST API: each admin action is one record, readable by its org only. */
describe('ims audit trail', () => {
  let ims: ImsTestClient;
  let admin: Tenant;
  let outsider: Tenant;
  const db = new Client({ connectionString: env.databaseUrl });
  const api = (who: Tenant, method: string, path: string, body?: unknown) => restCall(ims.url, who, method, path, body);
  const auditOf = async (who: Tenant, query = '') => {
    const answer = await api(who, 'GET', `/v1/audit-events${query}`);
    if (answer.status !== 200) throw new Error(`GET /v1/audit-events${query}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as { items: any[]; nextCursor: string | null };
  };

  beforeAll(async () => {
    await db.connect();
    ims = await ImsTestClient.start(env);
    [admin, outsider] = await Promise.all([ims.tenant(['ims.admin', 'audit.read']), ims.tenant(['audit.read'], 'Outsider org')]);
  });

  afterAll(async () => {
    await ims?.stop();
    await db.end();
  });

  it('records an added secret once, with who, what, target, outcome and the trace id, and never the secret', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const response = await fetch(`${ims.url}/v1/technical-accounts/${admin.accountId}/secrets`, {
      method: 'POST',
      headers: { ...admin.auth, traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    expect(response.status).toBe(201);
    const { secretId, clientSecret } = (await response.json()) as { secretId: string; clientSecret: string };

    const { items } = await auditOf(admin, `?action=${AuditActions.secretAdd}`);
    expect(items).toEqual([
      {
        auditId: expect.any(String),
        action: 'ims.secret.add',
        outcome: 'succeeded',
        orgId: admin.orgId,
        actor: { clientId: admin.clientId, orgId: admin.orgId },
        target: { technicalAccountId: admin.accountId, secretId },
        occurredAt: expect.any(String),
        traceId,
        service: 'ims',
      },
    ]);
    const rows = await db.query(`SELECT row_to_json(a)::text AS row FROM ims.audit_events a`);
    const published = await db.query(`SELECT message_value FROM ims.outbox_events WHERE topic = $1`, [Topics.hubAudit]);
    expect(published.rows.filter((row) => JSON.parse(row.message_value).data.auditId === items[0].auditId)).toHaveLength(1);
    for (const secret of [clientSecret, admin.clientSecret, admin.token]) {
      expect(rows.rows.some((row) => row.row.includes(secret))).toBe(false);
      expect(published.rows.some((row) => row.message_value.includes(secret))).toBe(false);
    }
  });

  it('records the creation of an org admin in the new org, by the platform account that made it', async () => {
    const { items } = await auditOf(admin, `?action=${AuditActions.technicalAccountCreate}`);
    expect(items).toEqual([
      expect.objectContaining({
        outcome: 'succeeded',
        orgId: admin.orgId,
        actor: { clientId: 'test-platform-admin', orgId: expect.any(String) },
        target: expect.objectContaining({ orgId: admin.orgId, technicalAccountId: admin.accountId }),
      }),
    ]);
  });

  it('records a removed secret, a revocation and a failed attempt', async () => {
    const created = await api(admin, 'POST', `/v1/orgs/${admin.orgId}/technical-accounts`, { name: 'to revoke', scopes: ['audit.read'] });
    expect(created.status).toBe(201);
    const secret = await api(admin, 'POST', `/v1/technical-accounts/${created.body.id}/secrets`);
    expect((await api(admin, 'DELETE', `/v1/technical-accounts/${created.body.id}/secrets/${secret.body.secretId}`)).status).toBe(204);
    expect((await api(admin, 'DELETE', `/v1/technical-accounts/${created.body.id}/secrets/${secret.body.secretId}`)).status).toBe(404);
    expect((await api(admin, 'POST', `/v1/technical-accounts/${created.body.id}/revoke`)).status).toBe(200);

    const { items } = await auditOf(admin, `?limit=5`);
    expect(items.map((item) => [item.action, item.outcome, item.reason])).toEqual([
      ['ims.technical-account.revoke', 'succeeded', undefined],
      ['ims.secret.remove', 'failed', 'not-found'],
      ['ims.secret.remove', 'succeeded', undefined],
      ['ims.secret.add', 'succeeded', undefined],
      ['ims.technical-account.create', 'succeeded', undefined],
    ]);
    expect(items[1].target).toEqual({ technicalAccountId: created.body.id, secretId: secret.body.secretId });
  });

  it('records a caller refused for lack of scope as denied, in its own org', async () => {
    const refused = await api(outsider, 'POST', `/v1/technical-accounts/${outsider.accountId}/secrets`);
    expect(refused.status).toBe(403);
    const { items } = await auditOf(outsider);
    expect(items).toEqual([
      expect.objectContaining({
        action: 'ims.secret.add',
        outcome: 'denied',
        reason: 'insufficient-scope',
        orgId: outsider.orgId,
        actor: { clientId: outsider.clientId, orgId: outsider.orgId },
        target: { technicalAccountId: outsider.accountId },
      }),
      expect.objectContaining({ action: 'ims.technical-account.create', outcome: 'succeeded' }),
    ]);
  });

  it("answers only the caller's org, keeps platform actions from org admins, and needs audit.read", async () => {
    // The platform operator rotates the keys: a platform action, of no org.
    expect((await fetch(`${ims.url}/v1/signing-keys/rotate`, { method: 'POST', headers: await ims.admin() })).status).toBe(200);
    const mine = await auditOf(admin, '?limit=1000');
    expect(mine.items.every((item) => item.orgId === admin.orgId)).toBe(true);
    expect(mine.items.some((item) => item.action === AuditActions.signingKeysRotate)).toBe(false);
    expect((await auditOf(outsider, '?limit=1000')).items.every((item) => item.orgId === outsider.orgId)).toBe(true);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM ims.audit_events WHERE org_id IS NULL AND action = $1`, [AuditActions.signingKeysRotate]);
    expect(rows[0].n).toBeGreaterThan(0);
    // ... which the platform operator reads
    const platform = await fetch(`${ims.url}/v1/audit-events?action=${AuditActions.signingKeysRotate}`, { headers: await ims.admin() });
    expect(platform.status).toBe(200);
    expect(((await platform.json()) as { items: any[] }).items[0]).toMatchObject({
      action: AuditActions.signingKeysRotate,
      outcome: 'succeeded',
      orgId: null,
      actor: { clientId: 'test-platform-admin' },
    });

    const noScope = await ims.tenant(['ims.admin'], 'No audit org');
    const forbidden = await api(noScope, 'GET', '/v1/audit-events');
    expect(forbidden).toMatchObject({ status: 403, body: { type: expect.stringContaining('insufficient-scope'), requiredScopes: ['audit.read'] } });
    expect((await fetch(`${ims.url}/v1/audit-events`)).status).toBe(401);
    expect((await api(admin, 'GET', '/v1/audit-events?action=ims.secret.peek')).status).toBe(400);
  });

  it('keeps the trail append-only: the service role cannot UPDATE, DELETE or TRUNCATE it', async () => {
    await expectAppendOnlyForServiceRole(env, 'ims', 'ims.audit_events');
  });
});
