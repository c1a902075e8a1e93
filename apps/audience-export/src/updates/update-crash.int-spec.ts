import { Client } from 'pg';
import { createEvent, EventTypes, Topics } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, newId, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();
const RECIPIENTS = 12_000; // 6 resolution requests of 2,000
const isMapped = (n: number) => n % 10 !== 7;

/**
 * audience-export SIGKILLed in the middle of an update run (its resolution requests sent, answers
 * arriving), then restarted: the run completes, and its version holds every mapped id exactly once.
 * Real id-reconciliation and IMS; the XC side read from Kafka as a consumer would.
 */
describe('audience-export killed during an update run', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  let ims: ImsTestClient;
  let idrec: RunningService;
  let exporter: RunningService | undefined;
  let tenant: Tenant;
  // One answer per transaction and small fetches: the kill lands between answers.
  const exporterEnv = () =>
    env.serviceEnv('audience-export', { ...ims.trustEnv, EVENTS_PER_TRANSACTION: '1', KAFKA_MAX_BYTES_PER_PARTITION: '65536', EXPORT_RUNNER_POLL_MS: '200' });

  const call = async (service: RunningService, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { ...tenant.auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    await db.connect();
    ims = await ImsTestClient.start(env);
    idrec = await launchService('id-reconciliation', env.serviceEnv('id-reconciliation', { ...ims.trustEnv }));
    exporter = await launchService('audience-export', exporterEnv());
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'identities.read', 'identities.write']);
    await probe.listen([Topics.xcCampaignAudiences, Topics.campaignSharedAudienceResults]);
  });

  afterAll(async () => {
    await exporter?.stop();
    await idrec?.stop();
    await ims?.stop();
    await probe.close();
    await db.end();
  });

  it('completes the run after a restart with each mapped id exactly once in its version', async () => {
    const created = await call(idrec, 'POST', '/v1/data-sources', {
      name: 'CRM id',
      idType: 'declared',
      integrationCode: 'CRMID',
      reconciliationKey: { attribute: 'crmId', normalization: ['trim', 'lowercase'] },
    });
    expect(created.status).toBe(201);
    const dataSourceId: string = created.body.id ?? created.body.dataSourceId;
    const audience = await waitFor('data source known to audience-export', async () => {
      const answer = await call(exporter!, 'POST', '/v1/shared-audiences', { segmentName: 'Crash test', dataSourceId });
      return answer.status === 201 ? answer.body : undefined;
    });

    // Recipients r-0..r-19999; those with n % 10 = 7 have no CRM id (unmapped).
    const recipients = Array.from({ length: RECIPIENTS }, (_, n) =>
      createEvent({
        type: EventTypes.campaignRecipientUpserted,
        source: '/campaign',
        orgId: tenant.orgId,
        aggregateId: `r-${n}`,
        data: { recipientId: `r-${n}`, attributes: isMapped(n) ? { crmId: `C-${n}` } : { email: `${n}@example.com` } },
      }),
    );
    for (let i = 0; i < recipients.length; i += 2_000) await probe.publish(Topics.campaignRecipients, recipients.slice(i, i + 2_000));
    const expected = Array.from({ length: RECIPIENTS }, (_, n) => n).filter(isMapped).map((n) => `c-${n}`);
    await waitFor(
      'every recipient known to id-reconciliation',
      async () => {
        for (let first = 0; first < RECIPIENTS; first += 1_000) {
          const ids = Array.from({ length: 1_000 }, (_, i) => first + i).filter(isMapped).map((n) => `r-${n}`);
          const answer = await call(idrec, 'POST', '/v1/resolve', { dataSourceId, direction: 'to-xc', ids });
          if (answer.body?.matched?.length !== ids.length) return false;
        }
        return true;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );

    const listId = newId('list');
    await probe.publish(Topics.campaignLists, [
      createEvent({ type: EventTypes.campaignListCreated, source: '/campaign', orgId: tenant.orgId, aggregateId: listId, data: { listId, label: 'Crash' } }),
      ...[0, RECIPIENTS / 2].map((first) =>
        createEvent({
          type: EventTypes.campaignListMembersAdded,
          source: '/campaign',
          orgId: tenant.orgId,
          aggregateId: listId,
          data: { listId, recipientIds: Array.from({ length: RECIPIENTS / 2 }, (_, i) => `r-${first + i}`) },
        }),
      ),
    ]);
    await waitFor('list stored', async () => (await call(exporter!, 'GET', `/v1/lists/${listId}`)).body?.memberCount === RECIPIENTS, { timeoutMs: 60_000 });

    const accepted = await call(exporter!, 'POST', `/v1/shared-audiences/${audience.id}/updates`, { listId, mode: 'mirror' });
    expect(accepted.status).toBe(202);
    const progress = async () =>
      (
        await db.query(`SELECT state, parts_expected, parts_received FROM audience_export.shared_audience_updates WHERE org_id = $1 AND update_id = $2`, [
          tenant.orgId,
          accepted.body.id,
        ])
      ).rows[0] as { state: string; parts_expected: number | null; parts_received: number };

    // Requests sent and the first answer applied: kill it, no drain, no goodbye.
    await waitFor('first answer applied', async () => (await progress()).parts_received >= 1, { timeoutMs: 180_000, intervalMs: 5 });
    await exporter!.stop('SIGKILL');
    const atKill = await progress();
    expect(atKill).toMatchObject({ state: 'running', parts_expected: RECIPIENTS / 2_000 });
    expect(atKill.parts_received).toBeLessThan(atKill.parts_expected!); // it really died mid-run

    exporter = await launchService('audience-export', exporterEnv());
    const done = await waitFor(
      'update completed after the restart',
      async () => {
        const answer = await call(exporter!, 'GET', `/v1/shared-audiences/${audience.id}/updates/${accepted.body.id}`);
        return ['completed', 'failed', 'denied'].includes(answer.body?.state) ? answer.body : undefined;
      },
      { timeoutMs: 120_000 },
    );
    const mapped = expected.length;
    expect(done).toMatchObject({ state: 'completed', version: 1, counts: { exported: mapped, added: mapped, removed: 0, unmapped: RECIPIENTS - mapped } });

    // The version's chunks as XC reads them (a redelivered event has the same id: counted once).
    const [last] = await probe.waitFor(
      'last chunk of version 1',
      (m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audience.id && m.json.data.lastPart,
    );
    const chunks = new Map<string, any>();
    await waitFor('every chunk of version 1', () => {
      for (const m of probe.received) {
        if (m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audience.id) chunks.set(m.json.id, m.json.data);
      }
      return chunks.size >= last.json.data.part + 1;
    });
    const data = [...chunks.values()];
    expect(data.every((chunk) => chunk.version === 1)).toBe(true);
    expect(data.map((chunk) => chunk.part).sort((a, b) => a - b)).toEqual(Array.from({ length: data.length }, (_, i) => i));
    const added = data.flatMap((chunk) => chunk.added as string[]);
    expect(data.flatMap((chunk) => chunk.removed as string[])).toEqual([]);
    expect(new Set(added).size).toBe(added.length); // no id twice
    expect([...added].sort()).toEqual([...expected].sort()); // none missing, none extra

    const outcomes = await probe.waitFor('outcome', (m) => m.json?.type === EventTypes.campaignSharedAudienceUpdateCompleted && m.json.data.updateId === accepted.body.id);
    expect(new Set(outcomes.map((m) => m.json.id)).size).toBe(1);
    expect(outcomes[0].json.data).toMatchObject({ state: 'completed', version: 1, exported: mapped });
  }, 600_000);
});
