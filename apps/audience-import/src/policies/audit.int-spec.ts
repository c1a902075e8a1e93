import { AuditActions } from '@audience-hub/contracts';
import { expectAppendOnlyForServiceRole, ImsTestClient, launchService, restCall, testEnv, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/** audience-import's audit trail: a governance policy change is one record; a refused one is recorded as denied. */
describe('audience-import audit trail', () => {
  let ims: ImsTestClient;
  let importer: RunningService;
  let governor: Tenant;
  let reader: Tenant;
  const api = (who: Tenant, method: string, path: string, body?: unknown) => restCall(importer.url, who, method, path, body);

  beforeAll(async () => {
    ims = await ImsTestClient.start(env);
    importer = await launchService('audience-import', env.serviceEnv('audience-import', ims.trustEnv));
    [governor, reader] = await Promise.all([ims.tenant(['audiences.read', 'policies.write', 'audit.read']), ims.tenant(['audiences.read', 'audit.read'], 'Reader org')]);
  });

  afterAll(async () => {
    await importer?.stop();
    await ims?.stop();
  });

  it('records a policy change once, and a refused one as denied in the refused org only', async () => {
    const put = await api(governor, 'PUT', '/v1/policies', [{ action: 'import-into-campaign', deniedLabels: ['C5'] }]);
    expect(put.status).toBe(200);
    expect((await api(reader, 'PUT', '/v1/policies', [])).status).toBe(403);

    const mine = await api(governor, 'GET', '/v1/audit-events');
    expect(mine).toMatchObject({ status: 200, body: { nextCursor: null } });
    expect(mine.body.items).toEqual([
      {
        auditId: expect.any(String),
        action: AuditActions.policiesReplace,
        outcome: 'succeeded',
        orgId: governor.orgId,
        actor: { clientId: governor.clientId, orgId: governor.orgId },
        target: { orgId: governor.orgId },
        occurredAt: expect.any(String),
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
        service: 'audience-import',
      },
    ]);
    const theirs = await api(reader, 'GET', `/v1/audit-events?action=${AuditActions.policiesReplace}`);
    expect(theirs.body.items).toEqual([
      expect.objectContaining({ outcome: 'denied', reason: 'insufficient-scope', orgId: reader.orgId, actor: { clientId: reader.clientId, orgId: reader.orgId } }),
    ]);
  });

  it('does not record a malformed request (nothing was attempted)', async () => {
    expect((await api(governor, 'PUT', '/v1/policies', [{ action: 'import-into-campaign', deniedLabels: ['C13'] }])).status).toBe(400);
    expect((await api(governor, 'GET', '/v1/audit-events')).body.items).toHaveLength(1);
  });

  it('keeps the trail append-only: the service role cannot UPDATE, DELETE or TRUNCATE it', async () => {
    await expectAppendOnlyForServiceRole(env, 'audience-import', 'audience_import.audit_events');
  });
});
