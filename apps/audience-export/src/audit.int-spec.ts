import { expectAppendOnlyForServiceRole, ImsTestClient, launchService, restCall, testEnv, type RunningService } from '@audience-hub/testing';

const env = testEnv();

/**
 * audience-export has no privileged action of its own today (its governance is the defaults and the
 * data sources' export controls, changed in id-reconciliation), so its trail starts empty; the route
 * is there, scoped and guarded like every service's.
 */
describe('audience-export audit trail', () => {
  let ims: ImsTestClient;
  let exporter: RunningService;

  beforeAll(async () => {
    ims = await ImsTestClient.start(env);
    exporter = await launchService('audience-export', env.serviceEnv('audience-export', ims.trustEnv));
  });

  afterAll(async () => {
    await exporter?.stop();
    await ims?.stop();
  });

  it('answers GET /v1/audit-events with audit.read only, as problem+json otherwise', async () => {
    const [auditor, other] = await Promise.all([ims.tenant(['audit.read']), ims.tenant(['audiences.read'], 'Other org')]);
    expect(await restCall(exporter.url, auditor, 'GET', '/v1/audit-events?limit=10')).toEqual({ status: 200, body: { items: [], nextCursor: null } });
    const refused = await fetch(`${exporter.url}/v1/audit-events`, { headers: other.auth });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await fetch(`${exporter.url}/v1/audit-events`)).status).toBe(401);
  });

  it('keeps the trail append-only: the service role cannot UPDATE, DELETE or TRUNCATE it', async () => {
    await expectAppendOnlyForServiceRole(env, 'audience-export', 'audience_export.audit_events');
  });
});
