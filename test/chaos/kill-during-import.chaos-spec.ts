import { EventTypes, Topics } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';
import { Client } from 'pg';
import {
  announceOrg,
  call,
  createImport,
  ecids,
  importedMembers,
  MEMBERS,
  netMembership,
  knownTo,
  replicasHold,
  visitorLinks,
  ownTopics,
  publishAll,
  Restartable,
  seconds,
  snapshotChunks,
  chaosServiceEnv,
} from './chaos-support';

const env = testEnv();
const LABEL = 'kill-import';

/**
 * audience-import SIGKILLed three times during a 100,000-member import (twice while chunks arrive and
 * are staged, once while the snapshot is applied), restarted each time on the same database
 * and consumer group: the list ends exactly right, and Campaign's members-changed stream adds every
 * recipient once.
 */
describe('audience-import killed during an import', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  let dropTopics: () => Promise<void>;
  let ims: ImsTestClient;
  let idrec: RunningService;
  let importer: Restartable;
  let tenant: Tenant;

  beforeAll(async () => {
    dropTopics = await ownTopics(env, LABEL);
    await db.connect();
    ims = await ImsTestClient.start(env);
    [idrec, importer] = await Promise.all([
      launchService('id-reconciliation', chaosServiceEnv(env, ims.trustEnv, LABEL, 'id-reconciliation')),
      Restartable.start('audience-import', chaosServiceEnv(env, ims.trustEnv, LABEL, 'audience-import')),
    ]);
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'identities.read']);
    await probe.listen([Topics.campaignImports]);
    await announceOrg(probe, tenant);
    await knownTo(tenant, [
      { url: idrec.url, path: '/v1/data-sources' },
      { url: importer.url, path: '/v1/imports' },
    ]);
  });

  afterAll(async () => {
    await Promise.all([importer?.stop(), idrec?.stop()]);
    await ims?.stop();
    await probe.close();
    await db.end();
    await dropTopics?.();
  });

  it('ends with exactly the audience, each recipient added once, after three SIGKILLs', async () => {
    const t0 = Date.now();
    const ecid = ecids();
    const pairs = Array.from({ length: MEMBERS }, (_, n) => ({ ecid: ecid(n), recipientId: `rcp-${n}` }));
    await visitorLinks(db, probe, idrec, tenant, pairs);
    await replicasHold(db, tenant, ['audience_import'], MEMBERS);
    console.log(`[kill-import] ${MEMBERS} visitor links known to id-reconciliation and audience-import's replica after ${seconds(t0)}`);

    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    const { importId, listId } = await createImport(probe, importer.service, tenant, audienceId);
    const chunks = snapshotChunks(
      tenant.orgId,
      audienceId,
      'chaos-1',
      pairs.map((p) => p.ecid),
    );
    const parts = chunks.length;
    const run = async () =>
      (await db.query(`SELECT r.state, r.parts_received FROM audience_import.runs r WHERE r.import_id = $1`, [importId])).rows[0] as
        { state: string; parts_received: number } | undefined;
    const changes = () => probe.received.filter((m) => m.json?.type === EventTypes.campaignImportedListMembersChanged && m.json.data.importId === importId);
    const completed = () => probe.received.filter((m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === importId);
    const kills: string[] = [];
    const kill = async (why: string) => {
      await importer.kill();
      kills.push(why);
      return why;
    };

    // Kill 1: while XC's chunks arrive, once at least 20% of them are recorded. XC keeps publishing meanwhile.
    await publishAll(probe, Topics.xcAudiences, chunks.slice(0, 4), 1);
    const first = await waitFor(
      '20% of the chunks recorded',
      async () => {
        const state = await run();
        return state && state.parts_received >= Math.ceil(parts * 0.2) ? state : undefined;
      },
      { intervalMs: 20 },
    );
    await kill(`kill 1: ${first.parts_received}/${parts} chunks recorded`);
    await publishAll(probe, Topics.xcAudiences, chunks.slice(4, 7), 1);
    console.log(`[kill-import] restart 1 ready in ${await importer.restart()} ms`);

    // Kill 2: while the chunks published meanwhile are staged, once at least half of the parts are
    // recorded (the last chunks are not out yet, so the run cannot have been applied).
    const second = await waitFor(
      'half of the parts recorded',
      async () => {
        const state = await run();
        return state && state.parts_received >= Math.ceil(parts / 2) ? state : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    expect(second.state).toBe('receiving');
    await kill(`kill 2: ${second.parts_received}/${parts} chunks recorded`);
    await publishAll(probe, Topics.xcAudiences, chunks.slice(7), 1);
    console.log(`[kill-import] restart 2 ready in ${await importer.restart()} ms`);

    // Kill 3: while the complete snapshot is applied (its transaction in flight), or at the latest
    // once its first members-changed chunk is out, before the import is reported completed.
    const third = await waitFor(
      'the snapshot being applied',
      async () => {
        if (completed().length > 0) throw new Error('the import completed before the third kill');
        const applying = await db.query(
          `SELECT round(extract(epoch FROM now() - xact_start) * 1000)::int AS ms FROM pg_stat_activity
          WHERE datname = current_database() AND usename = 'audience_hub_import' AND state <> 'idle'
            AND xact_start < now() - interval '150 milliseconds' LIMIT 1`,
        );
        if (applying.rows.length > 0) return `apply transaction in flight for ${applying.rows[0].ms} ms`;
        return changes().length > 0 ? `${changes().length} members-changed chunks out` : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    if (completed().length > 0) throw new Error('the import completed before the third kill');
    await kill(`kill 3: ${third}`);
    console.log(`[kill-import] restart 3 ready in ${await importer.restart()} ms`);
    console.log(`[kill-import] ${kills.join('; ')}`);

    const [outcome] = await probe.waitFor('import completed', (m) => completed().includes(m), 1, 120_000);
    expect(outcome.json.data.counts).toMatchObject({ received: MEMBERS, matched: MEMBERS, unmatched: 0, pending: 0, added: MEMBERS, removed: 0 });
    const view = await call(importer.url, tenant, 'GET', `/v1/imports/${importId}`);
    expect(view.body).toMatchObject({ state: 'completed', snapshots: 1, counts: { ...outcome.json.data.counts, invalid: 0 } });

    const expected = pairs.map((p) => p.recipientId).sort();
    const members = await importedMembers(importer.service, tenant, listId);
    expect(members.length).toBe(MEMBERS);
    expect(members).toEqual(expected);

    // Campaign's view: the members-changed stream (every chunk, up to lastPart, in the one applied version).
    const stream = await waitFor('every members-changed chunk', () => {
      const folded = netMembership(changes());
      return folded.parts.length > 0 && folded.parts.length === folded.parts[folded.parts.length - 1] + 1 ? folded : undefined;
    });
    const lastParts = changes()
      .filter((m) => m.json.data.lastPart)
      .map((m) => m.json.id);
    expect(new Set(lastParts).size).toBe(1);
    expect(stream.parts).toEqual(Array.from({ length: stream.events }, (_, i) => i));
    expect(stream.twice).toEqual([]);
    expect([...stream.net].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...stream.net.keys()].sort()).toEqual(expected);
    expect(new Set(completed().map((m) => m.json.id)).size).toBe(1);
    console.log(
      `[kill-import] done in ${seconds(t0)}: ${members.length} members, ${stream.events} members-changed events (+${stream.copies} redelivered copies), ${completed().length} completed event(s)`,
    );
  });
});
