import { EventTypes, identityLinkAggregateId, Topics } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, testEnv, waitFor, type Tenant } from '@audience-hub/testing';
import { Client } from 'pg';
import {
  announceOrg,
  call,
  chaosServiceEnv,
  ecids,
  event,
  everyChunk,
  expectExactlyOnce,
  knownTo,
  MEMBERS,
  ownTopics,
  publishAll,
  publishList,
  Restartable,
  seconds,
} from './chaos-support';

const env = testEnv();
const LABEL = 'kill-export';

/**
 * audience-export SIGKILLed three times during the first export of a 100,000-member list (as soon
 * as the update runs, then inside its final transaction, which resolves the list against the
 * identity replica, writes the audience's ids and enqueues the chunks: once before the ids, once
 * before the chunks), restarted each time on the same database and consumer groups: the update
 * completes once with the right counts, and XC's members-changed stream of that version adds every
 * id exactly once. The identity links come as id-reconciliation publishes them, on
 * idrec.identity-links.v1.
 */
describe('audience-export killed during an export', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  let dropTopics: () => Promise<void>;
  let ims: ImsTestClient;
  let exporter: Restartable;
  let tenant: Tenant;

  beforeAll(async () => {
    dropTopics = await ownTopics(env, LABEL);
    await db.connect();
    ims = await ImsTestClient.start(env);
    exporter = await Restartable.start('audience-export', chaosServiceEnv(env, ims.trustEnv, LABEL, 'audience-export', { EXPORT_RUNNER_POLL_MS: '200' }));
    tenant = await ims.tenant(['audiences.read', 'audiences.write']);
    await probe.listen([Topics.xcCampaignAudiences, Topics.campaignSharedAudienceResults]);
    await announceOrg(probe, tenant);
    await knownTo(tenant, [{ url: exporter.url, path: '/v1/shared-audiences' }]);
  });

  afterAll(async () => {
    await Promise.all([...Gate.closed].map((gate) => gate.open().catch(() => undefined)));
    await exporter?.stop();
    await ims?.stop();
    await probe.close();
    await db.end();
    await dropTopics?.();
  });

  it('exports every member exactly once in one version after three SIGKILLs', async () => {
    const t0 = Date.now();
    const ecid = ecids();
    const pairs = Array.from({ length: MEMBERS }, (_, n) => ({ ecid: ecid(n), recipientId: `rcp-${n}` }));
    // id-reconciliation's catalog and changelog, as it publishes them; audience-export's replica takes them in.
    await probe.publish(Topics.idrecDataSources, [
      event(EventTypes.idrecDataSourceUpserted, tenant.orgId, 'visitor', {
        dataSourceId: 'visitor',
        name: 'Recipient - Visitor ID',
        idType: 'visitor',
        integrationCode: 'AdobeCampaignVisitorID',
        builtIn: true,
        exportControls: [],
      }),
    ]);
    const observedAt = new Date().toISOString();
    await publishAll(
      probe,
      Topics.idrecIdentityLinks,
      pairs.map(({ ecid: xcId, recipientId }) =>
        event(EventTypes.idrecIdentityLinked, tenant.orgId, identityLinkAggregateId('visitor', xcId), {
          dataSourceId: 'visitor',
          idType: 'visitor',
          xcId,
          recipientId,
          observedAt,
        }),
      ),
    );
    await waitFor(
      `${MEMBERS} links in audience-export's replica`,
      async () => (await db.query(`SELECT count(*)::int AS n FROM audience_export.identity_links WHERE org_id = $1`, [tenant.orgId])).rows[0].n === MEMBERS,
      { timeoutMs: 300_000, intervalMs: 500 },
    );
    const listId = `list-${Date.now()}`;
    await publishList(
      probe,
      tenant,
      listId,
      pairs.map((p) => p.recipientId),
    );
    await waitFor('list stored', async () => (await call(exporter.url, tenant, 'GET', `/v1/lists/${listId}`)).body?.memberCount === MEMBERS, {
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    const audience = await waitFor('visitor data source known to audience-export', async () => {
      const answer = await call(exporter.url, tenant, 'POST', '/v1/shared-audiences', { segmentName: `Chaos ${listId}`, dataSourceId: 'visitor' });
      return answer.status === 201 ? answer.body : undefined;
    });
    console.log(`[kill-export] ${MEMBERS} visitor links and a ${MEMBERS}-member list in place after ${seconds(t0)}`);

    // Two tables the final transaction writes are held by the test, so kills 2 and 3 land inside it
    // whatever the timing: the audience's ids (written once the list is resolved) and the outbox
    // (written once the ids are). Resolving 100,000 members takes about a second, restarting an
    // instance several, and the runner resumes the update before the instance reports ready.
    const ids = await Gate.close(env.databaseUrl, 'audience_export.exported_members');
    const accepted = await call(exporter.url, tenant, 'POST', `/v1/shared-audiences/${audience.id}/updates`, { listId, mode: 'mirror' });
    expect(accepted.status).toBe(202);
    const updateId: string = accepted.body.id;
    const state = async () =>
      (await db.query(`SELECT state FROM audience_export.shared_audience_updates WHERE org_id = $1 AND update_id = $2`, [tenant.orgId, updateId])).rows[0]?.state as
        string | undefined;
    const outcomes = () => probe.received.filter((m) => m.json?.type === EventTypes.campaignSharedAudienceUpdateCompleted && m.json.data.updateId === updateId);
    const changes = () => probe.received.filter((m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audience.id);
    const kills: string[] = [];
    let started = new Date();
    const killAt = async (description: string, moment: () => Promise<string | undefined>, beforeRestart?: () => Promise<void>) => {
      const why = await waitFor(
        description,
        async () => {
          if (outcomes().length > 0) throw new Error(`the update ended before ${description}`);
          return moment();
        },
        { timeoutMs: 120_000, intervalMs: 20 },
      );
      await exporter.kill();
      kills.push(why);
      await beforeRestart?.();
      started = new Date();
      console.log(`[kill-export] ${why}; restart ready in ${await exporter.restart()} ms`);
    };
    // A final transaction of the running instance waiting for the test to open `gate`.
    const waitingAt = (gate: Gate) => async () => {
      const waiting = await gate.waiter(db, started);
      return waiting && `final transaction waiting to write ${gate.table} (at: ${waiting.replace(/\s+/g, ' ')})`;
    };

    // Kill 1: as soon as the update runs (its final transaction due, resolving, or waiting at the first gate).
    await killAt('the update running', async () => ((await state()) === 'running' ? 'update running' : undefined));
    // Kill 2: the final transaction with the list resolved, about to write the audience's ids.
    const outbox = await Gate.close(env.databaseUrl, 'audience_export.outbox_events');
    await killAt('the final transaction at the ids', waitingAt(ids), () => ids.open());
    // Kill 3: the final transaction with the ids written, about to enqueue the chunks.
    await killAt('the final transaction at the chunks', waitingAt(outbox), () => outbox.open());
    const lastRestart = Date.now();

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
    expectExactlyOnce(
      stream,
      changes(),
      pairs.map((p) => p.ecid),
    );
    expect(new Set(outcomes().map((m) => m.json.id)).size).toBe(1);
    console.log(
      `[kill-export] done in ${seconds(t0)}: ${stream.net.size} ids in ${stream.events} members-changed events (+${stream.copies} redelivered copies), ${outcomes().length} outcome event(s)`,
    );
  });
});

/**
 * A table the test holds in SHARE mode (reads go on, writes wait) until it opens the gate: a
 * transaction that writes it waits there, at a known point.
 */
class Gate {
  private constructor(
    readonly table: string,
    private readonly holder: Client,
  ) {}

  /** Gates still closed, opened by afterAll whatever happened. */
  static readonly closed = new Set<Gate>();

  static async close(databaseUrl: string, table: string): Promise<Gate> {
    const holder = new Client({ connectionString: databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`LOCK TABLE ${table} IN SHARE MODE`);
    const gate = new Gate(table, holder);
    Gate.closed.add(gate);
    return gate;
  }

  /**
   * The statement of an update's final transaction (it holds its shared audience's row) that waits
   * at the gate, on a connection opened after `since`.
   */
  async waiter(db: Client, since: Date): Promise<string | undefined> {
    const { rows } = await db.query(
      `SELECT left(a.query, 60) AS statement FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
        WHERE a.usename = 'audience_hub_export' AND a.backend_start > $1 AND l.relation = $2::regclass
          AND EXISTS (SELECT 1 FROM pg_locks h WHERE h.pid = a.pid AND h.granted AND h.relation = 'audience_export.shared_audiences'::regclass)`,
      [since, this.table],
    );
    return rows[0]?.statement;
  }

  async open(): Promise<void> {
    if (!Gate.closed.delete(this)) return;
    await this.holder.query('ROLLBACK');
    await this.holder.end();
  }
}
