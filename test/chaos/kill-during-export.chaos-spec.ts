import { EventTypes, Topics } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, TcpProxy, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';
import { Client } from 'pg';
import { announceOrg, call, ecids, event, groupOf, knownTo, MEMBERS, netMembership, ownTopics, publishAll, Restartable, seconds, visitorLinks } from './chaos-support';

const env = testEnv();
const LABEL = 'kill-export';

/**
 * audience-export SIGKILLed three times during "Update shared audience" of a 100,000-member list
 * (twice while resolution answers come in, once while the run is finalized), restarted each time:
 * the version's members-changed content is exactly the list's mapped members, none twice.
 * id-reconciliation's Postgres connection runs through a TcpProxy: cutting it pauses the answers
 * (a fault of its own), so each kill lands before the run could finish.
 */
describe('audience-export killed during an update', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  let dropTopics: () => Promise<void>;
  let proxy: TcpProxy;
  let ims: ImsTestClient;
  let idrec: RunningService;
  let exporter: Restartable;
  let tenant: Tenant;

  beforeAll(async () => {
    dropTopics = await ownTopics(env, LABEL);
    await db.connect();
    const target = new URL(env.databaseUrl);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const idrecDb = new URL(env.serviceDatabaseUrl('id-reconciliation'));
    idrecDb.port = String(await proxy.start());
    ims = await ImsTestClient.start(env);
    [idrec, exporter] = await Promise.all([
      launchService(
        'id-reconciliation',
        env.serviceEnv('id-reconciliation', { ...ims.trustEnv, DATABASE_URL: idrecDb.toString(), KAFKA_CONSUMER_GROUP: groupOf(LABEL, 'id-reconciliation'), KAFKA_NEW_GROUP_START: 'earliest' }),
      ),
      // Small transactions, so progress (parts received) is visible answer by answer.
      Restartable.start('audience-export', env.serviceEnv('audience-export', { ...ims.trustEnv, KAFKA_CONSUMER_GROUP: groupOf(LABEL, 'audience-export'), KAFKA_NEW_GROUP_START: 'earliest', EVENTS_PER_TRANSACTION: '2' })),
    ]);
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'identities.read']);
    await probe.listen([Topics.xcCampaignAudiences, Topics.campaignSharedAudienceResults]);
    await announceOrg(probe, tenant);
    await knownTo(tenant, [
      { url: idrec.url, path: '/v1/data-sources' },
      { url: exporter.url, path: '/v1/shared-audiences' },
    ]);
  });

  afterAll(async () => {
    proxy?.restore();
    await Promise.all([exporter?.stop(), idrec?.stop()]);
    await ims?.stop();
    await proxy?.stop();
    await probe.close();
    await db.end();
    await dropTopics?.();
  });

  it('emits exactly the mapped members once, after three SIGKILLs', async () => {
    const t0 = Date.now();
    const ecid = ecids();
    const recipients = Array.from({ length: MEMBERS }, (_, n) => `r-${n}`);
    // Every hundredth recipient has no ECID (unmapped).
    const mapped = recipients.map((recipientId, n) => ({ recipientId, ecid: ecid(n) })).filter((_, n) => n % 100 !== 99);
    await visitorLinks(db, probe, idrec, tenant, mapped);

    const audience = await waitFor('visitor data source known to audience-export', async () => {
      const answer = await call(exporter.url, tenant, 'POST', '/v1/shared-audiences', { segmentName: `Chaos ${Date.now()}`, dataSourceId: 'visitor' });
      return answer.status === 201 ? answer.body : undefined;
    });
    const listId = `list-${Date.now()}`;
    await probe.publish(Topics.campaignLists, [event(EventTypes.campaignListCreated, tenant.orgId, listId, { listId, label: 'Chaos' })]);
    const adds = [];
    for (let i = 0; i < MEMBERS; i += 10_000) adds.push(event(EventTypes.campaignListMembersAdded, tenant.orgId, listId, { listId, recipientIds: recipients.slice(i, i + 10_000) }));
    await publishAll(probe, Topics.campaignLists, adds, 2);
    await waitFor('list stored', async () => (await call(exporter.url, tenant, 'GET', `/v1/lists/${listId}`)).body?.memberCount === MEMBERS, { timeoutMs: 120_000, intervalMs: 250 });
    console.log(`[kill-export] list of ${MEMBERS} and ${mapped.length} links ready after ${seconds(t0)}`);

    const accepted = await call(exporter.url, tenant, 'POST', `/v1/shared-audiences/${audience.id}/updates`, { listId, mode: 'mirror' });
    expect(accepted.status).toBe(202);
    const updateId: string = accepted.body.id;
    const progress = async () =>
      (
        await db.query(`SELECT state, parts_expected, parts_received FROM audience_export.shared_audience_updates WHERE org_id = $1 AND update_id = $2`, [
          tenant.orgId,
          updateId,
        ])
      ).rows[0] as { state: string; parts_expected: number | null; parts_received: number };
    const outcome = () => probe.received.filter((m) => m.json?.data?.updateId === updateId);
    const kills: string[] = [];
    const killMidRun = async (share: number) => {
      const at = await waitFor(`${share * 100}% of the answers recorded`, async () => {
        const state = await progress();
        if (state.state !== 'pending' && state.state !== 'running') throw new Error(`update ${state.state} before the kill`);
        return state.parts_expected && state.parts_received >= Math.ceil(state.parts_expected * share) ? state : undefined;
      }, { timeoutMs: 120_000, intervalMs: 20 });
      proxy.cut(); // id-reconciliation pauses (its Postgres is away) while audience-export is down
      await exporter.kill();
      const after = await progress();
      expect(after.state).toBe('running');
      kills.push(`${after.parts_received}/${after.parts_expected} answers recorded`);
      console.log(`[kill-export] restart ready in ${await exporter.restart()} ms`);
      proxy.restore();
    };
    await killMidRun(0.2);
    await killMidRun(0.6);

    // Kill 3: while the run is finalized (its transaction in flight), or at the latest once its first chunk is out.
    const changes = () => probe.received.filter((m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audience.id);
    const third = await waitFor('the run being finalized', async () => {
      if (outcome().length > 0) throw new Error('the update completed before the third kill');
      const busy = await db.query(
        `SELECT round(extract(epoch FROM now() - xact_start) * 1000)::int AS ms FROM pg_stat_activity
          WHERE datname = current_database() AND usename = 'audience_hub_export' AND state <> 'idle'
            AND xact_start < now() - interval '150 milliseconds' LIMIT 1`,
      );
      if (busy.rows.length > 0) return `transaction in flight for ${busy.rows[0].ms} ms`;
      return changes().length > 0 ? `${changes().length} members-changed chunks out` : undefined;
    }, { timeoutMs: 120_000, intervalMs: 20 });
    await exporter.kill();
    kills.push(third);
    console.log(`[kill-export] restart ready in ${await exporter.restart()} ms; kills: ${kills.join('; ')}`);

    const done = await waitFor('update finished', async () => {
      const answer = await call(exporter.url, tenant, 'GET', `/v1/shared-audiences/${audience.id}/updates/${updateId}`);
      return ['completed', 'failed', 'denied'].includes(answer.body?.state) ? answer.body : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250 }).catch((error) => {
      throw new Error(`${error.message}\n--- audience-export output ---\n${exporter.service.output().slice(-6000)}`);
    });
    expect(done).toMatchObject({ state: 'completed', version: 1, counts: { exported: mapped.length, added: mapped.length, removed: 0, unmapped: MEMBERS - mapped.length } });

    const version = await waitFor('every chunk of version 1', () => {
      const folded = netMembership(changes().filter((m) => m.json.data.version === 1));
      const last = changes().find((m) => m.json.data.lastPart);
      return last && folded.parts.length === last.json.data.part + 1 ? folded : undefined;
    });
    expect(changes().filter((m) => m.json.data.version !== 1)).toEqual([]);
    expect(version.parts).toEqual(Array.from({ length: version.events }, (_, i) => i));
    expect(version.twice).toEqual([]);
    expect([...version.net].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...version.net.keys()].sort()).toEqual(mapped.map((p) => p.ecid).sort());
    // Campaign hears the outcome once (its event leaves through the outbox after the chunks).
    await probe.waitFor('the update-completed event', (m) => m.json?.type === EventTypes.campaignSharedAudienceUpdateCompleted && m.json.data.updateId === updateId);
    expect(new Set(outcome().map((m) => m.json.id)).size).toBe(1);
    console.log(`[kill-export] done in ${seconds(t0)}: ${version.net.size} ids in ${version.events} chunks (+${version.copies} redelivered copies)`);
  });
});
