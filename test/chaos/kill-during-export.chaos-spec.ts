import { EventTypes, Topics } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';
import { Client } from 'pg';
import {
  announceOrg,
  call,
  chaosServiceEnv,
  ecids,
  everyChunk,
  expectExactlyOnce,
  knownTo,
  MEMBERS,
  ownTopics,
  publishList,
  Restartable,
  seconds,
  transactionInFlight,
  visitorLinks,
} from './chaos-support';

const env = testEnv();
const LABEL = 'kill-export';
/** Recipients per resolution request (audience-export's RESOLVE_CHUNK). */
const PER_REQUEST = 2_000;

/**
 * audience-export SIGKILLed three times during the first export of a 100,000-member list (twice
 * while resolution answers arrive, once while the final transaction is in flight), restarted each
 * time on the same database and consumer group: the update completes once with the right counts,
 * and XC's members-changed stream of that version adds every id exactly once.
 */
describe('audience-export killed during an export', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  let dropTopics: () => Promise<void>;
  let ims: ImsTestClient;
  let idrec: RunningService;
  let exporter: Restartable;
  let tenant: Tenant;

  beforeAll(async () => {
    dropTopics = await ownTopics(env, LABEL);
    await db.connect();
    ims = await ImsTestClient.start(env);
    [idrec, exporter] = await Promise.all([
      launchService('id-reconciliation', chaosServiceEnv(env, ims.trustEnv, LABEL, 'id-reconciliation')),
      // One answer per transaction and small fetches: resolution takes long enough for two kills in it.
      Restartable.start(
        'audience-export',
        chaosServiceEnv(env, ims.trustEnv, LABEL, 'audience-export', { EVENTS_PER_TRANSACTION: '1', KAFKA_MAX_BYTES_PER_PARTITION: '65536', EXPORT_RUNNER_POLL_MS: '200' }),
      ),
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
    await Promise.all([exporter?.stop(), idrec?.stop()]);
    await ims?.stop();
    await probe.close();
    await db.end();
    await dropTopics?.();
  });

  it('exports every member exactly once in one version after three SIGKILLs', async () => {
    const t0 = Date.now();
    const ecid = ecids();
    const pairs = Array.from({ length: MEMBERS }, (_, n) => ({ ecid: ecid(n), recipientId: `rcp-${n}` }));
    await visitorLinks(db, probe, idrec, tenant, pairs);
    const listId = `list-${Date.now()}`;
    await publishList(probe, tenant, listId, pairs.map((p) => p.recipientId));
    await waitFor('list stored', async () => (await call(exporter.url, tenant, 'GET', `/v1/lists/${listId}`)).body?.memberCount === MEMBERS, { timeoutMs: 120_000, intervalMs: 250 });
    const audience = await waitFor('visitor data source known to audience-export', async () => {
      const answer = await call(exporter.url, tenant, 'POST', '/v1/shared-audiences', { segmentName: `Chaos ${listId}`, dataSourceId: 'visitor' });
      return answer.status === 201 ? answer.body : undefined;
    });
    console.log(`[kill-export] ${MEMBERS} visitor links and a ${MEMBERS}-member list in place after ${seconds(t0)}`);

    const accepted = await call(exporter.url, tenant, 'POST', `/v1/shared-audiences/${audience.id}/updates`, { listId, mode: 'mirror' });
    expect(accepted.status).toBe(202);
    const updateId: string = accepted.body.id;
    const parts = Math.ceil(MEMBERS / PER_REQUEST);
    const run = async () =>
      (
        await db.query(`SELECT state, run_no, parts_expected, parts_received FROM audience_export.shared_audience_updates WHERE org_id = $1 AND update_id = $2`, [
          tenant.orgId,
          updateId,
        ])
      ).rows[0] as { state: string; run_no: string; parts_expected: number | null; parts_received: number };
    const outcomes = () => probe.received.filter((m) => m.json?.type === EventTypes.campaignSharedAudienceUpdateCompleted && m.json.data.updateId === updateId);
    const changes = () =>
      probe.received.filter((m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audience.id);
    const kills: string[] = [];
    const killAt = async (description: string, moment: () => Promise<string | undefined>) => {
      const why = await waitFor(description, async () => {
        if (outcomes().length > 0) throw new Error(`the update ended before ${description}`);
        return moment();
      }, { timeoutMs: 120_000, intervalMs: 20 });
      await exporter.kill();
      kills.push(why);
      console.log(`[kill-export] ${why}; restart ready in ${await exporter.restart()} ms`);
    };
    // While answers arrive: at least 20% of the parts recorded since the last start, some still missing.
    const answersArriving = (since: number) => async () => {
      const state = await run();
      if (state?.state !== 'running' || state.parts_received < since + Math.ceil(parts * 0.2)) return undefined;
      if (state.parts_received >= parts) throw new Error(`every answer was recorded before the kill (${state.parts_received}/${parts})`);
      return `${state.parts_received}/${parts} answers recorded`;
    };

    // Kill 1 and 2: while the resolution answers are being recorded.
    await killAt('20% of the answers recorded', answersArriving(0));
    const afterFirst = (await run()).parts_received;
    await killAt('20% more of the answers recorded', answersArriving(afterFirst));
    // Kill 3: every answer in and the final transaction (diff, chunks, outcome) half a second under
    // way (past its ANALYZE, writing the new members or later): the one transaction that works on
    // the run's staging table once every answer is in.
    await killAt('the final transaction in flight', async () => {
      const state = await run();
      if (state?.state !== 'running' || state.parts_received < parts) return undefined;
      const final = await transactionInFlight(db, 'audience_hub_export', { minMs: 500, holding: `audience_export.resolved_run_${state.run_no}` });
      return final && `final transaction in flight for ${final.ms} ms (at: ${final.statement.replace(/\s+/g, ' ')})`;
    });
    const lastRestart = Date.now();
    // The restarted instance may already have finished the update by now: what must hold is that
    // every answer stayed recorded, whether the final transaction is yet to run again or done.
    const afterLastKill = await run();
    expect(['running', 'completed']).toContain(afterLastKill.state);
    expect(afterLastKill).toMatchObject({ parts_expected: parts, parts_received: parts });

    // Campaign's view: one outcome, completed with the right counts.
    const [outcome] = await probe.waitFor('update completed', (m) => outcomes().includes(m), 1, 120_000);
    console.log(`[kill-export] ${kills.join('; ')}; completed ${seconds(lastRestart)} after the last restart`);
    const counts = { exported: MEMBERS, added: MEMBERS, removed: 0, unmapped: 0 };
    expect(outcome.json.data).toMatchObject({ state: 'completed', version: 1, ...counts });
    // The REST view agrees.
    const view = await call(exporter.url, tenant, 'GET', `/v1/shared-audiences/${audience.id}/updates/${updateId}`);
    expect(view.body).toMatchObject({ state: 'completed', version: 1, counts });
    expect((await call(exporter.url, tenant, 'GET', `/v1/shared-audiences/${audience.id}/updates/${updateId}/unmapped`)).body).toEqual({ items: [], nextCursor: null });
    expect((await call(exporter.url, tenant, 'GET', `/v1/shared-audiences/${audience.id}`)).body).toMatchObject({ version: 1 });

    // XC's view: the chunks of version 1 hold every ECID exactly once, and no other version exists.
    const stream = await everyChunk('every members-changed chunk of version 1', changes);
    expect(changes().every((m) => m.json.data.version === 1)).toBe(true);
    expectExactlyOnce(stream, changes(), pairs.map((p) => p.ecid));
    expect(new Set(outcomes().map((m) => m.json.id)).size).toBe(1);
    console.log(
      `[kill-export] done in ${seconds(t0)}: ${stream.net.size} ids in ${stream.events} members-changed events (+${stream.copies} redelivered copies), ${outcomes().length} outcome event(s)`,
    );
  });
});
