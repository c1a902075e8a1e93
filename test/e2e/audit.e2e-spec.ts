import { AuditActions, EventTypes, PLATFORM_ORG_ID, Topics } from '@audience-hub/contracts';
import type { HubClient } from '@audience-hub/client';
import { KafkaProbe, launchStack, testEnv, type Stack, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/**
 * The audit trail as a SIEM sees it: privileged actions at the IMS and at id-reconciliation arrive
 * on hub.audit.v1, one event per action, the same record each service's GET /v1/audit-events answers.
 */
describe('audit records on hub.audit.v1', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  let stack: Stack;
  let operator: Tenant;
  let client: HubClient;

  beforeAll(async () => {
    stack = await launchStack(env, { services: ['id-reconciliation'] });
    await probe.listen([Topics.hubAudit]);
    operator = await stack.tenant(['ims.admin', 'ims.platform', 'identities.write', 'audit.read']);
    client = stack.client(operator);
  });

  afterAll(async () => {
    await stack?.stop();
    await probe.close();
  });

  const published = (auditId: string) => probe.received.filter((message) => message.json?.data?.auditId === auditId);

  it('publishes each action once, as recorded, with no secret in it', async () => {
    const secret = await client.ims.addSecret(operator.accountId);
    expect(secret.clientSecret).toEqual(expect.any(String));
    const created = await client.identities.createDataSource({
      id: 'ds-siem',
      name: 'CRM',
      idType: 'declared',
      integrationCode: 'CRM',
      reconciliationKey: { attribute: 'crmId', normalization: ['trim'] },
    });
    expect(created.id).toBe('ds-siem');

    const [atIms] = (await client.audit.ims.list({ action: AuditActions.secretAdd })).items;
    const [atIdrec] = (await client.audit['id-reconciliation'].list({ action: AuditActions.dataSourceCreate })).items;
    for (const record of [atIms, atIdrec]) {
      const [message] = await probe.waitFor(`${record.action} on ${Topics.hubAudit}`, (m) => m.json?.data?.auditId === record.auditId);
      expect(message.json).toMatchObject({ type: EventTypes.hubAuditRecorded, orgid: operator.orgId, source: `/audience-hub/${record.service}`, data: record });
      expect(message.key).toBe(`${operator.orgId}:audit`);
      expect(message.value).not.toContain(secret.clientSecret);
      expect(message.value).not.toContain(operator.clientSecret);
    }
    // a later action's record arrives after them: by then each earlier record has arrived exactly once
    const rotated = await client.ims.rotateSigningKeys();
    const [rotation] = await probe.waitFor('key rotation record', (m) => m.json?.data?.action === AuditActions.signingKeysRotate && m.json.data.target.kid === rotated.kid);
    expect(rotation.json).toMatchObject({ orgid: PLATFORM_ORG_ID, data: { orgId: null, actor: { clientId: operator.clientId, orgId: operator.orgId } } });
    expect(published(atIms.auditId)).toHaveLength(1);
    expect(published(atIdrec.auditId)).toHaveLength(1);
  });
});
