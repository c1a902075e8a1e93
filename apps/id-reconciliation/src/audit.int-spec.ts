import { AuditActions } from '@audience-hub/contracts';
import { expectAppendOnlyForServiceRole, ImsTestClient, launchService, restCall, testEnv, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/** id-reconciliation's audit trail: every data source change is one record; GET filters, pages and keeps orgs apart. */
describe('id-reconciliation audit trail', () => {
  let ims: ImsTestClient;
  let idrec: RunningService;
  let writer: Tenant;
  let reader: Tenant;
  const api = (who: Tenant, method: string, path: string, body?: unknown) => restCall(idrec.url, who, method, path, body);
  const auditOf = async (who: Tenant, query = '') => {
    const answer = await api(who, 'GET', `/v1/audit-events${query}`);
    if (answer.status !== 200) throw new Error(`GET /v1/audit-events${query}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as { items: any[]; nextCursor: string | null };
  };

  beforeAll(async () => {
    ims = await ImsTestClient.start(env);
    idrec = await launchService('id-reconciliation', env.serviceEnv('id-reconciliation', ims.trustEnv));
    [writer, reader] = await Promise.all([ims.tenant(['identities.read', 'identities.write', 'audit.read']), ims.tenant(['identities.read', 'audit.read'], 'Reader org')]);
  });

  afterAll(async () => {
    await idrec?.stop();
    await ims?.stop();
  });

  it('records a data source created, changed and deleted: one record each, newest first, filtered and paged', async () => {
    const before = new Date().toISOString();
    const created = await api(writer, 'POST', '/v1/data-sources', {
      id: 'ds-audit',
      name: 'CRM id',
      idType: 'declared',
      integrationCode: 'CRM',
      reconciliationKey: { attribute: 'crmId', normalization: ['trim'] },
    });
    expect(created.status).toBe(201);
    expect((await api(writer, 'PATCH', '/v1/data-sources/ds-audit', { name: 'CRM id (renamed)' })).status).toBe(200);
    const between = new Date().toISOString();
    expect((await api(writer, 'DELETE', '/v1/data-sources/ds-audit')).status).toBe(204);

    const { items, nextCursor } = await auditOf(writer);
    expect(nextCursor).toBeNull();
    expect(items.map((item) => item.action)).toEqual(['data-source.delete', 'data-source.update', 'data-source.create']);
    for (const item of items) {
      expect(item).toEqual({
        auditId: expect.any(String),
        action: item.action,
        outcome: 'succeeded',
        orgId: writer.orgId,
        actor: { clientId: writer.clientId, orgId: writer.orgId },
        target: { dataSourceId: 'ds-audit' },
        occurredAt: expect.any(String),
        traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
        service: 'id-reconciliation',
      });
    }

    // paging: one at a time, the same records in the same order
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: any[]; nextCursor: string | null } = await auditOf(writer, `?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.items.map((item) => item.auditId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(items.map((item) => item.auditId));

    expect((await auditOf(writer, `?action=${AuditActions.dataSourceUpdate}`)).items.map((item) => item.auditId)).toEqual([items[1].auditId]);
    expect((await auditOf(writer, `?actor=${writer.clientId}`)).items).toHaveLength(3);
    expect((await auditOf(writer, '?actor=someone-else')).items).toEqual([]);
    // time range: what an oracle over the records' own times says ([from, to)), and it does narrow
    const within = (from: string, to?: string) => items.filter((item) => item.occurredAt >= from && (!to || item.occurredAt < to)).map((item) => item.auditId);
    const ranged = async (from: string, to?: string) =>
      (await auditOf(writer, `?from=${encodeURIComponent(from)}${to ? `&to=${encodeURIComponent(to)}` : ''}`)).items.map((item) => item.auditId);
    expect(await ranged(between)).toEqual(within(between));
    expect(await ranged(before, between)).toEqual(within(before, between));
    expect(await ranged(items[1].occurredAt, items[0].occurredAt)).toEqual(within(items[1].occurredAt, items[0].occurredAt));
    expect(within(between)).toContain(items[0].auditId);
    expect(within(between)).not.toContain(items[2].auditId);
    expect((await api(writer, 'GET', '/v1/audit-events?from=yesterday')).status).toBe(400);
    expect((await api(writer, 'GET', '/v1/audit-events?cursor=bm90LWEtc2Vx')).status).toBe(400);
  });

  it("records a failed change and a denied one, each in the actor's org only", async () => {
    expect((await api(writer, 'PATCH', '/v1/data-sources/ds-absent', { name: 'x' })).status).toBe(404);
    const denied = await api(reader, 'POST', '/v1/data-sources', {
      name: 'nope',
      idType: 'declared',
      integrationCode: 'X',
      reconciliationKey: { attribute: 'crmId', normalization: [] },
    });
    expect(denied.status).toBe(403);

    const [failed] = (await auditOf(writer)).items;
    expect(failed).toMatchObject({ action: 'data-source.update', outcome: 'failed', reason: 'not-found', target: { dataSourceId: 'ds-absent' } });
    const readerItems = (await auditOf(reader)).items;
    expect(readerItems).toEqual([
      expect.objectContaining({
        action: 'data-source.create',
        outcome: 'denied',
        reason: 'insufficient-scope',
        orgId: reader.orgId,
        actor: { clientId: reader.clientId, orgId: reader.orgId },
        target: {},
      }),
    ]);
    expect((await auditOf(writer, '?limit=1000')).items.every((item) => item.orgId === writer.orgId)).toBe(true);
  });

  it('needs audit.read', async () => {
    const noAudit = await ims.tenant(['identities.read'], 'No audit org');
    expect((await api(noAudit, 'GET', '/v1/audit-events')).status).toBe(403);
  });

  it('keeps the trail append-only: the service role cannot UPDATE, DELETE or TRUNCATE it', async () => {
    await expectAppendOnlyForServiceRole(env, 'id-reconciliation', 'idrec.audit_events');
  });
});
