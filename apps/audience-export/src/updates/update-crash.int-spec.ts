import { Client } from 'pg';
import { createEvent, EventTypes, identityLinkAggregateId, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, newId, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();
const RECIPIENTS = 12_000;
const isMapped = (n: number) => n % 10 !== 7;

/**
 * audience-export SIGKILLed inside an update's final transaction (its ids resolved and inserted,
 * its chunks about to go to the outbox), then restarted: the run completes once, and its version
 * holds every mapped id exactly once. The kill lands there for sure: the test holds a SHARE lock
 * on the outbox table, which the final transaction waits for. Identity links come as
 * id-reconciliation publishes them (idrec.identity-links.v1); the XC side is read from Kafka as a
 * consumer would.
 */
describe('audience-export killed during an update run', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  const blocker = new Client({ connectionString: env.databaseUrl });
  let ims: ImsTestClient;
  let exporter: RunningService | undefined;
  let tenant: Tenant;
  const exporterEnv = () => env.serviceEnv('audience-export', { ...ims.trustEnv, EXPORT_RUNNER_POLL_MS: '200' });
  const event = (type: AnyHubEvent['type'], aggregateId: string, data: unknown) =>
    createEvent({ type, source: '/audience-hub/id-reconciliation', orgId: tenant.orgId, aggregateId, data } as never) as AnyHubEvent;

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
    await Promise.all([db.connect(), blocker.connect()]);
    ims = await ImsTestClient.start(env);
    exporter = await launchService('audience-export', exporterEnv());
    tenant = await ims.tenant(['audiences.read', 'audiences.write']);
    await probe.listen([Topics.xcCampaignAudiences, Topics.campaignSharedAudienceResults]);
  });

  afterAll(async () => {
    await blocker.query('ROLLBACK').catch(() => undefined);
    await exporter?.stop();
    await ims?.stop();
    await probe.close();
    await Promise.all([db.end(), blocker.end()]);
  });

  it('completes the run after a restart with each mapped id exactly once in its version', async () => {
    // A declared data source; recipients r-0..r-11999, those with n % 10 = 7 have no CRM id (unmapped).
    const dataSourceId = newId('crm');
    await probe.publish(Topics.idrecDataSources, [
      event(EventTypes.idrecDataSourceUpserted, dataSourceId, { dataSourceId, name: 'CRM id', idType: 'declared', integrationCode: 'CRMID', builtIn: false, exportControls: [] }),
    ]);
    const mapped = Array.from({ length: RECIPIENTS }, (_, n) => n).filter(isMapped);
    const links = mapped.map((n) =>
      event(EventTypes.idrecIdentityLinked, identityLinkAggregateId(dataSourceId, `c-${n}`), { dataSourceId, idType: 'declared', xcId: `c-${n}`, recipientId: `r-${n}` }),
    );
    for (let i = 0; i < links.length; i += 2_000) await probe.publish(Topics.idrecIdentityLinks, links.slice(i, i + 2_000));
    const expected = mapped.map((n) => `c-${n}`);
    await waitFor(
      'every link in the replica',
      async () => (await db.query(`SELECT count(*)::int AS n FROM audience_export.identity_links WHERE org_id = $1`, [tenant.orgId])).rows[0].n === expected.length,
      { timeoutMs: 60_000 },
    );
    const audience = await waitFor('data source known to audience-export', async () => {
      const answer = await call(exporter!, 'POST', '/v1/shared-audiences', { segmentName: 'Crash test', dataSourceId });
      return answer.status === 201 ? answer.body : undefined;
    });

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
    // The audience's definition is out; from now on nothing may enter the outbox until the lock goes.
    await probe.waitFor('audience defined', (m) => m.json?.type === EventTypes.xcSharedAudienceDefined && m.json.data.sharedAudienceId === audience.id);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE audience_export.outbox_events IN SHARE MODE');

    const accepted = await call(exporter!, 'POST', `/v1/shared-audiences/${audience.id}/updates`, { listId, mode: 'mirror' });
    expect(accepted.status).toBe(202);
    // The final transaction resolved and inserted the ids, and waits to enqueue the chunks: kill it, no drain, no goodbye.
    const waiting = await waitFor(
      'final transaction waiting for the outbox',
      async () =>
        (
          await db.query(
            `SELECT a.pid, left(a.query, 40) AS statement FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
              WHERE a.usename = 'audience_hub_export' AND l.relation = 'audience_export.outbox_events'::regclass`,
          )
        ).rows[0],
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    expect(waiting.statement).toMatch(/INSERT INTO outbox_events/i);
    await exporter!.stop('SIGKILL');
    const atKill = (await db.query(`SELECT state FROM audience_export.shared_audience_updates WHERE org_id = $1 AND update_id = $2`, [tenant.orgId, accepted.body.id])).rows[0];
    expect(atKill.state).toBe('running'); // its final transaction could not commit before the kill
    await blocker.query('ROLLBACK');

    exporter = await launchService('audience-export', exporterEnv());
    const done = await waitFor(
      'update completed after the restart',
      async () => {
        const answer = await call(exporter!, 'GET', `/v1/shared-audiences/${audience.id}/updates/${accepted.body.id}`);
        return ['completed', 'failed', 'denied'].includes(answer.body?.state) ? answer.body : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(done).toMatchObject({
      state: 'completed',
      version: 1,
      counts: { exported: expected.length, added: expected.length, removed: 0, unmapped: RECIPIENTS - expected.length },
    });

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
    expect(outcomes[0].json.data).toMatchObject({ state: 'completed', version: 1, exported: expected.length });
  }, 300_000);
});
