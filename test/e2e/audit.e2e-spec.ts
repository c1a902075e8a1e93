import { AuditActions, EventTypes, PLATFORM_ORG_ID, Topics } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, restCall, testEnv, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/**
 * The audit trail as a SIEM sees it: privileged actions at the IMS and at id-reconciliation arrive
 * on hub.audit.v1, one event per action, the same record each service's GET /v1/audit-events answers.
 */
describe('audit records on hub.audit.v1', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  let ims: ImsTestClient;
  let idrec: RunningService;
  let operator: Tenant;

  beforeAll(async () => {
    ims = await ImsTestClient.start(env);
    idrec = await launchService('id-reconciliation', env.serviceEnv('id-reconciliation', ims.trustEnv));
    await probe.listen([Topics.hubAudit]);
    operator = await ims.tenant(['ims.admin', 'ims.platform', 'identities.write', 'audit.read']);
  });

  afterAll(async () => {
    await idrec?.stop();
    await ims?.stop();
    await probe.close();
  });

  const published = (auditId: string) => probe.received.filter((message) => message.json?.data?.auditId === auditId);

  it('publishes each action once, as recorded, with no secret in it', async () => {
    const secret = await restCall(ims.url, operator, 'POST', `/v1/technical-accounts/${operator.accountId}/secrets`);
    expect(secret.status).toBe(201);
    const created = await restCall(idrec.url, operator, 'POST', '/v1/data-sources', {
      id: 'ds-siem',
      name: 'CRM',
      idType: 'declared',
      integrationCode: 'CRM',
      reconciliationKey: { attribute: 'crmId', normalization: ['trim'] },
    });
    expect(created.status).toBe(201);

    const [atIms] = (await restCall(ims.url, operator, 'GET', `/v1/audit-events?action=${AuditActions.secretAdd}`)).body.items;
    const [atIdrec] = (await restCall(idrec.url, operator, 'GET', `/v1/audit-events?action=${AuditActions.dataSourceCreate}`)).body.items;
    for (const record of [atIms, atIdrec]) {
      const [message] = await probe.waitFor(`${record.action} on ${Topics.hubAudit}`, (m) => m.json?.data?.auditId === record.auditId);
      expect(message.json).toMatchObject({ type: EventTypes.hubAuditRecorded, orgid: operator.orgId, source: `/audience-hub/${record.service}`, data: record });
      expect(message.key).toBe(`${operator.orgId}:audit`);
      expect(message.value).not.toContain(secret.body.clientSecret);
      expect(message.value).not.toContain(operator.clientSecret);
    }
    // a later action's record arrives after them: by then each earlier record has arrived exactly once
    const rotated = await restCall(ims.url, operator, 'POST', '/v1/signing-keys/rotate');
    expect(rotated.status).toBe(200);
    const [rotation] = await probe.waitFor('key rotation record', (m) => m.json?.data?.action === AuditActions.signingKeysRotate && m.json.data.target.kid === rotated.body.kid);
    expect(rotation.json).toMatchObject({ orgid: PLATFORM_ORG_ID, data: { orgId: null, actor: { clientId: operator.clientId, orgId: operator.orgId } } });
    expect(published(atIms.auditId)).toHaveLength(1);
    expect(published(atIdrec.auditId)).toHaveLength(1);
  });
});
