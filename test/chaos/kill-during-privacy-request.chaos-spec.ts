import { EventTypes, Topics } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, newId, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';
import { Client } from 'pg';
import { announceOrg, call, chaosServiceEnv, event, knownTo, ownTopics, Restartable } from './chaos-support';

const env = testEnv();
const LABEL = 'kill-privacy';

/**
 * audience-export SIGKILLed inside its transaction of a privacy delete (held at a known statement:
 * the test locks `campaign_list_members` in SHARE mode, so the delete waits there), then restarted
 * on the same database and consumer group: the request is redelivered, audience-export erases the
 * person and answers, and the request completes with every service's receipt.
 */
describe('a service killed during a privacy request', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  let dropTopics: () => Promise<void>;
  let ims: ImsTestClient;
  let idrec: RunningService;
  let importer: RunningService;
  let exporter: Restartable;
  let tenant: Tenant;
  let gate: Client | undefined;

  beforeAll(async () => {
    dropTopics = await ownTopics(env, LABEL);
    await db.connect();
    ims = await ImsTestClient.start(env);
    [idrec, importer, exporter] = await Promise.all([
      launchService('id-reconciliation', chaosServiceEnv(env, ims.trustEnv, LABEL, 'id-reconciliation'), { readyTimeoutMs: 120_000 }),
      launchService('audience-import', chaosServiceEnv(env, ims.trustEnv, LABEL, 'audience-import'), { readyTimeoutMs: 120_000 }),
      Restartable.start('audience-export', chaosServiceEnv(env, ims.trustEnv, LABEL, 'audience-export')),
    ]);
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'identities.read', 'privacy.read', 'privacy.write']);
    await announceOrg(probe, tenant);
    await knownTo(tenant, [
      { url: idrec.url, path: '/v1/data-sources' },
      { url: exporter.url, path: '/v1/shared-audiences' },
    ]);
  });

  afterAll(async () => {
    await gate?.query('ROLLBACK').catch(() => undefined);
    await gate?.end().catch(() => undefined);
    await Promise.all([exporter?.stop(), importer?.stop(), idrec?.stop()]);
    await ims?.stop();
    await probe.close();
    await db.end();
    await dropTopics?.();
  });

  it('completes once the killed service is back', async () => {
    const alice = newId('alice');
    const listId = newId('list');
    await probe.publish(Topics.campaignRecipients, [event(EventTypes.campaignRecipientUpserted, tenant.orgId, alice, { recipientId: alice, attributes: { crmId: alice } })]);
    await probe.publish(Topics.campaignLists, [
      event(EventTypes.campaignListCreated, tenant.orgId, listId, { listId, label: 'Loyal' }),
      event(EventTypes.campaignListMembersAdded, tenant.orgId, listId, { listId, recipientIds: [alice, newId('bob')] }),
    ]);
    await waitFor('list stored', async () => (await call(exporter.url, tenant, 'GET', `/v1/lists/${listId}`)).body?.memberCount === 2, { timeoutMs: 60_000 });

    // The gate: audience-export's delete of the list copy waits here, inside its transaction.
    gate = new Client({ connectionString: env.databaseUrl });
    await gate.connect();
    await gate.query('BEGIN');
    await gate.query('LOCK TABLE audience_export.campaign_list_members IN SHARE MODE');

    const accepted = await call(idrec.url, tenant, 'POST', '/v1/privacy/requests', { regulation: 'ccpa', type: 'delete', subjects: [{ namespace: 'recipientId', value: alice }] });
    expect(accepted.status).toBe(202);
    const requestId: string = accepted.body.requestId;
    await waitFor(
      'audience-export waiting inside its privacy transaction',
      async () => {
        const { rowCount } = await db.query(
          `SELECT 1 FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
          WHERE a.usename = 'audience_hub_export' AND l.relation = 'audience_export.campaign_list_members'::regclass`,
        );
        return (rowCount ?? 0) > 0;
      },
      { timeoutMs: 60_000 },
    );

    await exporter.kill();
    await gate.query('ROLLBACK');
    await gate.end();
    gate = undefined;
    expect((await call(idrec.url, tenant, 'GET', `/v1/privacy/requests/${requestId}`)).body.status).toBe('pending');
    await exporter.restart();

    const done = await waitFor(
      'request completed',
      async () => {
        const answer = (await call(idrec.url, tenant, 'GET', `/v1/privacy/requests/${requestId}`)).body;
        return answer?.status === 'completed' ? answer : undefined;
      },
      { timeoutMs: 120_000 },
    );
    expect(done.receipts.map((r: { service: string }) => r.service)).toEqual(['audience-export', 'audience-import', 'id-reconciliation', 'ims']);
    expect(done.receipts.find((r: { service: string }) => r.service === 'audience-export').counts).toMatchObject({ campaign_list_members: 1 });
    const { rowCount } = await db.query(`SELECT 1 FROM audience_export.campaign_list_members WHERE org_id = $1 AND recipient_id = $2`, [tenant.orgId, alice]);
    expect(rowCount).toBe(0);
  });
});
