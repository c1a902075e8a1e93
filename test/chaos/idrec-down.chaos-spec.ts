import { EventTypes, Topics } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';
import { Client } from 'pg';
import {
  announceOrg,
  call,
  chaosServiceEnv,
  createImport,
  ecids,
  event,
  everyChunk,
  expectExactlyOnce,
  importedMembers,
  knownTo,
  netMembership,
  observeVisitors,
  ownTopics,
  publishAll,
  publishList,
  Restartable,
  seconds,
  snapshotChunks,
} from './chaos-support';

const env = testEnv();
const LABEL = 'idrec-down';
/** Recipients with a visitor link before id-reconciliation goes down. */
const N = Number(process.env.CHAOS_IDREC_DOWN_RECIPIENTS ?? 2_000);
/** Recipients (and ECIDs) nobody has linked yet: in XC's audience and in the Campaign list, unmatched and unmapped. */
const UNKNOWN = 200;
/** Of those, how many Campaign links while id-reconciliation is down. */
const LATE = 100;

/**
 * id-reconciliation killed (SIGKILL) once its identity graph reached audience-import's and
 * audience-export's replicas (idrec.identity-links.v1): an import and an "Update shared audience"
 * still run to completion, resolved against the replicas alone, with exactly the counts the
 * replicas imply, and nothing asks id-reconciliation anything. Campaign links some of the unknown
 * ECIDs meanwhile; once id-reconciliation is back, the imported list gains those recipients (late
 * links through the replica) and a second export adds their ECIDs.
 */
describe('id-reconciliation down during imports and exports', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  let dropTopics: () => Promise<void>;
  let ims: ImsTestClient;
  let idrec: Restartable;
  let importer: RunningService;
  let exporter: RunningService;
  let tenant: Tenant;

  beforeAll(async () => {
    dropTopics = await ownTopics(env, LABEL);
    await db.connect();
    ims = await ImsTestClient.start(env);
    [idrec, importer, exporter] = await Promise.all([
      // A SIGKILLed member holds its partitions until its session times out: 10 s (the least the
      // configuration takes is 6 s) lets the restarted instance in sooner than the default 30 s.
      Restartable.start('id-reconciliation', chaosServiceEnv(env, ims.trustEnv, LABEL, 'id-reconciliation', { KAFKA_SESSION_TIMEOUT_MS: '10000' })),
      launchService('audience-import', chaosServiceEnv(env, ims.trustEnv, LABEL, 'audience-import')),
      launchService('audience-export', chaosServiceEnv(env, ims.trustEnv, LABEL, 'audience-export', { EXPORT_RUNNER_POLL_MS: '200' })),
    ]);
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'identities.read', 'identities.write']);
    await probe.listen([Topics.campaignImports, Topics.xcCampaignAudiences, Topics.campaignSharedAudienceResults]);
    await announceOrg(probe, tenant);
    await knownTo(tenant, [
      { url: idrec.url, path: '/v1/data-sources' },
      { url: importer.url, path: '/v1/imports' },
      { url: exporter.url, path: '/v1/shared-audiences' },
    ]);
  });

  afterAll(async () => {
    await Promise.all([importer?.stop(), exporter?.stop(), idrec?.stop()]);
    await ims?.stop();
    await probe.close();
    await db.end();
    await dropTopics?.();
  });

  /** Rows of a replica (`schema`.identity_links) for the tenant's org. */
  const replicaSize = async (schema: 'audience_import' | 'audience_export'): Promise<number> =>
    Number((await db.query(`SELECT count(*)::int AS n FROM ${schema}.identity_links WHERE org_id = $1`, [tenant.orgId])).rows[0].n);
  /** Until both replicas hold `n` links (or either holds more, which the caller's assertion reports). */
  const bothReplicasHold = async (n: number, what: string) => {
    const sizes = await waitFor(
      `both replicas hold ${n} links (${what})`,
      async () => {
        const sizes = [await replicaSize('audience_import'), await replicaSize('audience_export')];
        return sizes.some((size) => size > n) || sizes.every((size) => size === n) ? sizes : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(sizes).toEqual([n, n]);
  };
  /** Ready (Postgres, Kafka, consumer group) and still running. */
  const healthy = async (service: RunningService) => service.process.exitCode === null && (await fetch(`${service.url}/health/ready`)).status === 200;

  it('imports and exports against the replicas while it is down, and converges once it is back', async () => {
    const t0 = Date.now();
    const ecid = ecids();
    const recipient = (n: number) => `rcp-${n}`;
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    const linked = range(0, N).map((n) => ({ ecid: ecid(n), recipientId: recipient(n) }));
    const unknown = range(N, N + UNKNOWN).map((n) => ({ ecid: ecid(n), recipientId: recipient(n) }));
    const late = unknown.slice(0, LATE);

    // 1. The identity graph reaches both replicas through id-reconciliation, as Campaign feeds it;
    // the visitor data source's definition reaches both services' copies too.
    await observeVisitors(probe, idrec.service, tenant, linked);
    await bothReplicasHold(N, 'before id-reconciliation goes down');
    for (const schema of ['audience_import', 'audience_export']) {
      await waitFor(
        `${schema} knows the visitor data source`,
        async () =>
          (await db.query(`SELECT 1 FROM ${schema}.data_sources WHERE org_id = $1 AND data_source_id = 'visitor' AND deleted_at IS NULL`, [tenant.orgId])).rows.length === 1,
      );
    }
    console.log(`[idrec-down] ${N} visitor links in both replicas after ${seconds(t0)}`);

    // 2. id-reconciliation dies.
    await idrec.kill();
    const down = Date.now();
    expect(idrec.service.process.exitCode ?? idrec.service.process.signalCode).toBe('SIGKILL');

    // 3. An import of XC's audience: the linked ECIDs and the unknown ones.
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    const { importId, listId: importedListId } = await createImport(probe, importer, tenant, audienceId);
    const snapshot = [...linked, ...unknown].map((p) => p.ecid);
    await publishAll(probe, Topics.xcAudiences, snapshotChunks(tenant.orgId, audienceId, 'idrec-down-1', snapshot));
    const importChanges = () => probe.received.filter((m) => m.json?.type === EventTypes.campaignImportedListMembersChanged && m.json.data.importId === importId);
    const [imported] = await probe.waitFor('import completed', (m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === importId, 1, 60_000);
    // What the replica implies: the snapshot's ids that it links, and the recipients they name.
    const {
      rows: [implied],
    } = await db.query(
      `SELECT count(*)::int AS matched, count(DISTINCT l.recipient_id)::int AS recipients
         FROM unnest($2::text[]) AS s(xc_id) JOIN audience_import.identity_links l ON l.org_id = $1 AND l.data_source_id = 'visitor' AND l.xc_id = s.xc_id`,
      [tenant.orgId, snapshot],
    );
    expect(implied).toEqual({ matched: N, recipients: N });
    const importCounts = { received: N + UNKNOWN, matched: N, unmatched: UNKNOWN, pending: UNKNOWN, added: N, removed: 0 };
    expect(imported.json.data.counts).toMatchObject(importCounts);
    expect((await call(importer.url, tenant, 'GET', `/v1/imports/${importId}`)).body).toMatchObject({
      state: 'completed',
      snapshots: 1,
      lateMatched: 0,
      counts: { ...importCounts, invalid: 0 },
    });
    const firstMembers = linked.map((p) => p.recipientId).sort();
    expect(await importedMembers(importer, tenant, importedListId)).toEqual(firstMembers);
    // Campaign's view: the members-changed events (the outcome may come first, on another partition).
    const firstStream = await waitFor('every members-changed event of the import', () => {
      const folded = netMembership(importChanges());
      return folded.net.size >= N ? folded : undefined;
    });
    expect(firstStream.twice).toEqual([]);
    expect([...firstStream.net.keys()].sort()).toEqual(firstMembers);
    console.log(`[idrec-down] import completed ${seconds(down)} after id-reconciliation went down`);

    // 4. "Update shared audience" of a Campaign list of every recipient, linked or not.
    const listId = `list-${Date.now()}`;
    const listMembers = [...linked, ...unknown].map((p) => p.recipientId);
    await publishList(probe, tenant, listId, listMembers);
    await waitFor('list stored', async () => (await call(exporter.url, tenant, 'GET', `/v1/lists/${listId}`)).body?.memberCount === listMembers.length, {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    const created = await call(exporter.url, tenant, 'POST', '/v1/shared-audiences', { segmentName: `Idrec down ${listId}`, dataSourceId: 'visitor' });
    expect(created.status).toBe(201);
    const audience = created.body;
    const exportChanges = (version: number) => () =>
      probe.received.filter((m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audience.id && m.json.data.version === version);
    const update = async (what: string) => {
      const accepted = await call(exporter.url, tenant, 'POST', `/v1/shared-audiences/${audience.id}/updates`, { listId, mode: 'mirror' });
      expect(accepted.status).toBe(202);
      const updateId: string = accepted.body.id;
      const [outcome] = await probe.waitFor(what, (m) => m.json?.type === EventTypes.campaignSharedAudienceUpdateCompleted && m.json.data.updateId === updateId, 1, 60_000);
      return { updateId, outcome: outcome.json.data };
    };
    const first = await update('first update completed');
    const {
      rows: [exportImplied],
    } = await db.query(
      `SELECT count(DISTINCT l.recipient_id)::int AS mapped, count(*)::int AS ids
         FROM unnest($2::text[]) AS m(recipient_id) JOIN audience_export.identity_links l ON l.org_id = $1 AND l.data_source_id = 'visitor' AND l.recipient_id = m.recipient_id`,
      [tenant.orgId, listMembers],
    );
    expect(exportImplied).toEqual({ mapped: N, ids: N });
    const firstCounts = { exported: N, added: N, removed: 0, unmapped: UNKNOWN };
    expect(first.outcome).toMatchObject({ state: 'completed', version: 1, ...firstCounts });
    expect((await call(exporter.url, tenant, 'GET', `/v1/shared-audiences/${audience.id}/updates/${first.updateId}`)).body).toMatchObject({
      state: 'completed',
      version: 1,
      counts: firstCounts,
    });
    const unmapped = await call(exporter.url, tenant, 'GET', `/v1/shared-audiences/${audience.id}/updates/${first.updateId}/unmapped?limit=1000`);
    expect(unmapped.body.nextCursor).toBeNull();
    expect(unmapped.body.items.map((item: { recipientId: string }) => item.recipientId).sort()).toEqual(unknown.map((p) => p.recipientId).sort());
    const version1 = await everyChunk('every members-changed chunk of version 1', exportChanges(1));
    expectExactlyOnce(
      version1,
      exportChanges(1)(),
      linked.map((p) => p.ecid),
    );
    console.log(`[idrec-down] export version 1 completed ${seconds(down)} after id-reconciliation went down`);

    // 5. Campaign links some unknown ECIDs meanwhile: nothing reaches the replicas while
    // id-reconciliation is down, and both services stayed up and ready throughout.
    const observedAt = new Date().toISOString();
    await publishAll(
      probe,
      Topics.campaignVisitorObservations,
      late.map(({ ecid: id, recipientId }) => event(EventTypes.campaignVisitorObserved, tenant.orgId, recipientId, { recipientId, ecid: id, observedAt, channel: 'web' })),
    );
    expect([await replicaSize('audience_import'), await replicaSize('audience_export')]).toEqual([N, N]);
    expect([await healthy(importer), await healthy(exporter)]).toEqual([true, true]);

    // 6. id-reconciliation back: it applies the observations it missed and the links reach both replicas.
    const downFor = seconds(down);
    const restartMs = await idrec.restart();
    console.log(`[idrec-down] id-reconciliation down for ${downFor}; restart ready in ${restartMs} ms`);
    const back = Date.now();
    await bothReplicasHold(N + LATE, 'after id-reconciliation is back');

    // The imported list gains the late recipients through the replica; at every look it holds the
    // first members and no one outside the final set.
    const finalMembers = [...linked, ...late].map((p) => p.recipientId).sort();
    const finalSet = new Set(finalMembers);
    // (waitFor retries a probe that throws, so a broken invariant is returned, and asserted, instead.)
    const grown = await waitFor(
      'the imported list has the late recipients',
      async () => {
        const members = await importedMembers(importer, tenant, importedListId);
        const stray = members.filter((id) => !finalSet.has(id));
        const lost = firstMembers.filter((id) => !members.includes(id));
        if (stray.length > 0 || lost.length > 0) return { stray, lost };
        return members.length === finalMembers.length ? { stray, lost } : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(grown).toEqual({ stray: [], lost: [] });
    expect(await importedMembers(importer, tenant, importedListId)).toEqual(finalMembers);
    const lateCounts = { received: N + UNKNOWN, matched: N + LATE, unmatched: UNKNOWN - LATE, pending: UNKNOWN - LATE, added: N + LATE, removed: 0, invalid: 0 };
    const view = await waitFor('the import counts the late links', async () => {
      const answer = (await call(importer.url, tenant, 'GET', `/v1/imports/${importId}`)).body;
      // Whatever has been applied so far, a linked id moved from pending to matched and nothing else.
      const broken = answer.counts.matched + answer.counts.pending !== N + UNKNOWN || answer.counts.matched - answer.lateMatched !== N;
      return broken || answer.lateMatched === LATE ? answer : undefined;
    });
    expect(view).toMatchObject({ state: 'completed', snapshots: 1, lateMatched: LATE, counts: lateCounts });
    // Campaign's view: every recipient of the list added exactly once over all members-changed events.
    const lateStream = await waitFor('every late members-changed event', () => {
      const folded = netMembership(importChanges());
      return folded.net.size === finalMembers.length ? folded : undefined;
    });
    expect(lateStream.twice).toEqual([]);
    expect([...lateStream.net].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...lateStream.net.keys()].sort()).toEqual(finalMembers);
    console.log(`[idrec-down] imported list converged ${seconds(back)} after the restart`);

    // A second update adds the late recipients' ECIDs, and only those.
    const second = await update('second update completed');
    const secondCounts = { exported: N + LATE, added: LATE, removed: 0, unmapped: UNKNOWN - LATE };
    expect(second.outcome).toMatchObject({ state: 'completed', version: 2, ...secondCounts });
    expect((await call(exporter.url, tenant, 'GET', `/v1/shared-audiences/${audience.id}`)).body).toMatchObject({ version: 2 });
    const version2 = await everyChunk('every members-changed chunk of version 2', exportChanges(2));
    expectExactlyOnce(
      version2,
      exportChanges(2)(),
      late.map((p) => p.ecid),
    );
    expect(exportChanges(3)()).toEqual([]);

    expect([await healthy(importer), await healthy(exporter), await healthy(idrec.service)]).toEqual([true, true, true]);
    console.log(`[idrec-down] done in ${seconds(t0)}`);
  });
});
