import { createEvent, EventTypes, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { Client } from 'pg';
import { ImsTestClient, KafkaProbe, launchService, newEcid, newId, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/**
 * audience-import with the real id-reconciliation, through their public interfaces only: XC
 * events in, REST and campaign.imports.v1 out. Recipients are taught to id-reconciliation the way
 * Campaign does (visitor observations).
 */
describe('importing XC audiences into lists', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  let ims: ImsTestClient;
  let idrec: RunningService;
  let importer: RunningService;
  let tenant: Tenant;

  const xc = (type: AnyHubEvent['type'], aggregateId: string, data: unknown): AnyHubEvent =>
    createEvent({ type, source: '/xc', orgId: tenant.orgId, aggregateId, data } as never) as AnyHubEvent;
  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${importer.url}${path}`, { ...init, headers: { ...tenant.auth, 'content-type': 'application/json', ...init.headers } });
    return { status: response.status, body: (await response.json()) as T };
  };
  const members = async (listId: string): Promise<string[]> => {
    const all: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { body: { items: Array<{ recipientId: string }>; nextCursor: string | null } } = await api(`/v1/lists/${listId}/members?limit=2&cursor=${cursor}`);
      all.push(...page.body.items.map((item) => item.recipientId));
      cursor = page.body.nextCursor;
    }
    return all;
  };
  const importView = (id: string) => api<any>(`/v1/imports/${id}`).then((r) => r.body);
  const untilSnapshots = (id: string, n: number) =>
    waitFor(`import ${id} applied ${n} snapshot(s)`, async () => {
      const job = await importView(id);
      return job.snapshots >= n && job.state === 'completed' ? job : undefined;
    });

  /** Campaign tells id-reconciliation that `recipientId` was seen with `ecid`. */
  const observe = (pairs: Array<[string, string]>) =>
    probe.publish(
      Topics.campaignVisitorObservations,
      pairs.map(([ecid, recipientId]) =>
        createEvent({
          type: EventTypes.campaignVisitorObserved,
          source: '/campaign',
          orgId: tenant.orgId,
          aggregateId: recipientId,
          data: { recipientId, ecid, observedAt: new Date().toISOString(), channel: 'web' },
        }),
      ),
    );
  const db = new Client({ connectionString: env.databaseUrl });
  /**
   * Known to id-reconciliation, and replicated to audience-import (which resolves against its own
   * replica, filled from the changelog a moment later): a snapshot sent now finds every one of them.
   * (Reading the replica's table is this test's only look inside: no interface says "replicated".)
   */
  const resolvable = async (ecids: string[]) => {
    await waitFor('id-reconciliation knows the visitors', async () => {
      const response = await fetch(`${idrec.url}/v1/resolve`, {
        method: 'POST',
        headers: { ...tenant.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ dataSourceId: 'visitor', direction: 'to-recipients', ids: ecids }),
      });
      const body = (await response.json()) as { matched?: unknown[] };
      return body.matched?.length === ecids.length;
    });
    await waitFor('audience-import replicated the links', async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM audience_import.identity_links WHERE org_id = $1 AND data_source_id = 'visitor' AND xc_id = ANY($2::text[])`,
        [tenant.orgId, ecids],
      );
      return rows[0].n === ecids.length;
    });
  };
  const publishAudience = async (audienceId: string, labels: string[]) => {
    await probe.publish(Topics.xcAudiences, [xc(EventTypes.xcAudiencePublished, audienceId, { audienceId, name: `Audience ${audienceId}`, solution: 'audience-manager', labels })]);
    await waitFor('audience in the catalog', async () => {
      const { status, body } = await api<{ labels: string[] }>(`/v1/xc-audiences/${audienceId}`);
      return status === 200 && JSON.stringify(body.labels) === JSON.stringify(labels);
    });
  };
  const snapshot = (audienceId: string, snapshotId: string, mode: 'full' | 'delta', parts: Array<{ added?: string[]; removed?: string[] }>) =>
    parts.map((part, index) =>
      xc(EventTypes.xcAudienceMembers, audienceId, {
        audienceId,
        snapshotId,
        mode,
        idType: 'visitor',
        part: index,
        lastPart: index === parts.length - 1,
        added: part.added ?? [],
        removed: part.removed ?? [],
      }),
    );
  const createImport = async (audienceId: string, mode: 'full' | 'delta' = 'full') => {
    const { status, body } = await api<any>('/v1/imports', {
      method: 'POST',
      body: JSON.stringify({ audienceId, listLabel: `List of ${audienceId}`, dataSourceId: 'visitor', mode }),
    });
    expect(status).toBe(202);
    return body;
  };

  beforeAll(async () => {
    await db.connect();
    ims = await ImsTestClient.start(env);
    [idrec, importer] = await Promise.all([
      launchService('id-reconciliation', env.serviceEnv('id-reconciliation', { ...ims.trustEnv })),
      launchService('audience-import', env.serviceEnv('audience-import', { ...ims.trustEnv })),
    ]);
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'policies.write', 'identities.read', 'identities.write']);
    await probe.listen([Topics.campaignImports]);
    // IMS announces the org to every service.
    await probe.publish(Topics.imsEvents, [
      createEvent({
        type: EventTypes.imsOrgCreated,
        source: '/ims',
        orgId: tenant.orgId,
        aggregateId: tenant.orgId,
        data: { orgId: tenant.orgId, name: 'Test org', createdAt: new Date().toISOString() },
      }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([importer?.stop(), idrec?.stop()]);
    await ims?.stop();
    await probe.close();
    await db.end();
  });

  it('full, then delta, then full again gives exactly the expected list; the same snapshot twice changes nothing', async () => {
    const e = Array.from({ length: 6 }, () => newEcid());
    const unknown = [newEcid(), newEcid()];
    const r = e.map((_, i) => newId(`r${i}`));
    await observe(e.map((ecid, i) => [ecid, r[i]]));
    await resolvable(e);
    const audienceId = newId('aud');
    await publishAudience(audienceId, ['C2', 'I1']);
    const job = await createImport(audienceId);
    expect(job).toMatchObject({ state: 'pending', decision: { allowed: true, policy: 'default:import-into-campaign', labels: ['C2', 'I1'] } });

    // Full snapshot in two parts; part 0 is resent by XC under a new event id.
    const full1 = snapshot(audienceId, 's1', 'full', [{ added: [e[0], e[1], unknown[0]] }, { added: [e[2], unknown[1]] }]);
    await probe.publish(Topics.xcAudiences, [full1[0], { ...full1[0], id: crypto.randomUUID() }, full1[1]]);
    let view = await untilSnapshots(job.id, 1);
    expect(view.counts).toEqual({ received: 5, matched: 3, unmatched: 2, pending: 2, added: 3, removed: 0, invalid: 0 });
    expect(view.matchRate).toBeCloseTo(0.6);
    expect(await members(job.listId)).toEqual([r[0], r[1], r[2]].sort());

    await probe.publish(Topics.xcAudiences, snapshot(audienceId, 's2', 'delta', [{ added: [e[3]], removed: [e[0], unknown[0]] }]));
    view = await untilSnapshots(job.id, 2);
    expect(view.counts).toMatchObject({ received: 3, matched: 1, added: 1, removed: 1, pending: 1 });
    expect(await members(job.listId)).toEqual([r[1], r[2], r[3]].sort());

    const full3 = snapshot(audienceId, 's3', 'full', [{ added: [e[1], e[4]] }, { added: [e[5]] }]);
    await probe.publish(Topics.xcAudiences, full3);
    view = await untilSnapshots(job.id, 3);
    expect(view.counts).toEqual({ received: 3, matched: 3, unmatched: 0, pending: 0, added: 2, removed: 2, invalid: 0 });
    expect(await members(job.listId)).toEqual([r[1], r[4], r[5]].sort());

    // The same snapshot again (new event ids): nothing; the same content as a new snapshot: applied, no change.
    await probe.publish(
      Topics.xcAudiences,
      full3.map((event) => ({ ...event, id: crypto.randomUUID() })),
    );
    await probe.publish(Topics.xcAudiences, snapshot(audienceId, 's4', 'full', [{ added: [e[5], e[4], e[1]] }]));
    view = await untilSnapshots(job.id, 4);
    expect(view.snapshots).toBe(4);
    expect(view.counts).toMatchObject({ received: 3, matched: 3, added: 0, removed: 0 });
    expect(await members(job.listId)).toEqual([r[1], r[4], r[5]].sort());

    // What Campaign saw: the changes add up to the list, and one completed report per snapshot.
    const mine = (type: string) => probe.received.filter((m) => m.json?.type === type && m.json.data.importId === job.id).map((m) => m.json.data);
    await probe.waitFor('4 completed', (m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === job.id, 4);
    const list = new Set<string>();
    for (const change of mine(EventTypes.campaignImportedListMembersChanged)) {
      change.added.forEach((id: string) => list.add(id));
      change.removed.forEach((id: string) => list.delete(id));
    }
    expect([...list].sort()).toEqual([r[1], r[4], r[5]].sort());
    expect(mine(EventTypes.campaignImportCompleted).map((c) => [c.counts.added, c.counts.removed])).toEqual([
      [3, 0],
      [1, 1],
      [2, 2],
      [0, 0],
    ]);
  });

  it('keeps an id sent twice in one snapshot (within a part, and in two parts) as one member', async () => {
    const e = Array.from({ length: 3 }, () => newEcid());
    const r = e.map((_, i) => newId(`d${i}`));
    await observe(e.map((ecid, i) => [ecid, r[i]]));
    await resolvable(e);
    const audienceId = newId('aud');
    await publishAudience(audienceId, []);
    const job = await createImport(audienceId);
    await probe.publish(Topics.xcAudiences, snapshot(audienceId, 's1', 'full', [{ added: [e[0], e[1], e[0]] }, { added: [e[1], e[2]] }]));
    const view = await untilSnapshots(job.id, 1);
    expect(view.counts).toMatchObject({ received: 5, added: 3, removed: 0 });
    expect(await members(job.listId)).toEqual([...r].sort());

    // Without e[1] next time: its recipient leaves, no copy of it stays behind.
    await probe.publish(Topics.xcAudiences, snapshot(audienceId, 's2', 'full', [{ added: [e[2], e[0]] }]));
    const next = await untilSnapshots(job.id, 2);
    expect(next.counts).toMatchObject({ received: 2, added: 0, removed: 1 });
    expect(await members(job.listId)).toEqual([r[0], r[2]].sort());
  });

  it('counts an id once when a later part of more than 5,000 ids sends it again', async () => {
    // Big parts are inserted without checking the run for each id first; a repeated one makes the
    // part go again the careful way.
    const known = Array.from({ length: 3 }, () => newEcid());
    const r = known.map((_, i) => newId(`big${i}`));
    await observe(known.map((ecid, i) => [ecid, r[i]]));
    await resolvable(known);
    const unknownA = Array.from({ length: 6_000 }, () => newEcid());
    const unknownB = Array.from({ length: 6_000 }, () => newEcid());
    const audienceId = newId('aud');
    await publishAudience(audienceId, []);
    const job = await createImport(audienceId);
    await probe.publish(
      Topics.xcAudiences,
      snapshot(audienceId, 's1', 'full', [{ added: [...unknownA, known[0], known[1]] }, { added: [...unknownB, unknownA[0], known[1], known[2]] }]),
    );
    const view = await untilSnapshots(job.id, 1);
    expect(view.counts).toEqual({ received: 12_005, matched: 3, unmatched: 12_000, pending: 12_000, added: 3, removed: 0, invalid: 0 });
    expect(await members(job.listId)).toEqual([...r].sort());
  });

  it('applies links made between the parts of a snapshot, as if the snapshot had been resolved when complete', async () => {
    const [e0, e1, e2, e3] = Array.from({ length: 4 }, () => newEcid());
    const [r0, r1, r2, r3, r4] = Array.from({ length: 5 }, (_, i) => newId(`mid${i}`));
    await observe([
      [e0, r0],
      [e2, r2],
      [e3, r4],
    ]);
    await resolvable([e0, e2, e3]);
    // A list already holding the same ids shows when audience-import's replica has the new links.
    const witnessAudience = newId('aud');
    await publishAudience(witnessAudience, []);
    const witness = await createImport(witnessAudience);
    await probe.publish(Topics.xcAudiences, snapshot(witnessAudience, 'w1', 'full', [{ added: [e0, e1, e2] }]));
    expect((await untilSnapshots(witness.id, 1)).counts).toMatchObject({ matched: 2, pending: 1 });

    const audienceId = newId('aud');
    await publishAudience(audienceId, []);
    const job = await createImport(audienceId);
    const parts = snapshot(audienceId, 's1', 'full', [{ added: [e0, e1, e2] }, { added: [e3] }]);
    await probe.publish(Topics.xcAudiences, [parts[0]]);
    await waitFor('snapshot run open', async () => (await importView(job.id)).state === 'running');
    // Between the parts: e1 is linked, e0 moves to another recipient, e2's recipient is deleted.
    await observe([
      [e1, r1],
      [e0, r3],
    ]);
    await probe.publish(Topics.campaignRecipients, [
      createEvent({ type: EventTypes.campaignRecipientDeleted, source: '/campaign', orgId: tenant.orgId, aggregateId: r2, data: { recipientId: r2 } }),
    ]);
    await waitFor('the replica has the new links', async () => JSON.stringify(await members(witness.listId)) === JSON.stringify([r1, r3].sort()));
    await probe.publish(Topics.xcAudiences, [parts[1]]);

    const view = await untilSnapshots(job.id, 1);
    expect(view.counts).toEqual({ received: 4, matched: 3, unmatched: 1, pending: 1, added: 3, removed: 0, invalid: 0 });
    expect(await members(job.listId)).toEqual([r1, r3, r4].sort());
  });

  it('imports an outbound file of several chunks that names an id twice, far apart', async () => {
    const known = [newEcid(), newEcid()];
    const r = known.map((_, i) => newId(`file${i}`));
    await observe(known.map((ecid, i) => [ecid, r[i]]));
    await resolvable(known);
    const audienceId = String(Math.floor(Math.random() * 1e9));
    await publishAudience(audienceId, []);
    const job = await createImport(audienceId);
    const ids = [known[0], ...Array.from({ length: 24_997 }, () => newEcid()), known[1]];
    ids.splice(20_000, 0, ids[5]); // 25,000 lines, 24,999 distinct ids
    const body = ids.map((id) => `${id} ${audienceId} \n`).join('');
    const response = await fetch(`${importer.url}/v1/files?name=S3_1_0_flow_full_${Date.now()}.sync`, {
      method: 'POST',
      headers: { ...tenant.auth, 'content-type': 'application/octet-stream' },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ lines: 25_000, applied: 25_000, errorCount: 0 });
    const view = await untilSnapshots(job.id, 1);
    expect(view.counts).toEqual({ received: 25_000, matched: 2, unmatched: 24_997, pending: 24_997, added: 2, removed: 0, invalid: 0 });
    expect(await members(job.listId)).toEqual([...r].sort());
  });

  it('adds a pending id once id-reconciliation links it (late reconciliation)', async () => {
    const known = newEcid();
    const late = newEcid();
    await observe([[known, 'r-known']]);
    await resolvable([known]);
    const audienceId = newId('aud');
    await publishAudience(audienceId, []);
    const job = await createImport(audienceId);
    await probe.publish(Topics.xcAudiences, snapshot(audienceId, 's1', 'full', [{ added: [known, late] }]));
    const before = await untilSnapshots(job.id, 1);
    expect(before.counts).toMatchObject({ matched: 1, unmatched: 1, pending: 1, added: 1 });

    await observe([[late, 'r-late']]);
    const after = await waitFor('late member added', async () => {
      const view = await importView(job.id);
      return view.counts.pending === 0 ? view : undefined;
    });
    expect(after.counts).toMatchObject({ matched: 2, unmatched: 0, pending: 0, added: 2 });
    expect(after.lateMatched).toBe(1);
    expect(await members(job.listId)).toEqual(['r-known', 'r-late']);
    await probe.waitFor(
      'the late member announced',
      (m) => m.json?.type === EventTypes.campaignImportedListMembersChanged && m.json.data.importId === job.id && m.json.data.added.includes('r-late'),
    );
  });

  it('denies a forbidden audience and writes nothing; a relabelled audience is denied at its next snapshot, the list left as it was', async () => {
    const ecid = newEcid();
    await observe([[ecid, 'r-gov']]);
    await resolvable([ecid]);

    const forbidden = newId('aud');
    await publishAudience(forbidden, ['C3']);
    const denied = await createImport(forbidden);
    expect(denied).toMatchObject({ state: 'denied', decision: { allowed: false, policy: 'default:import-into-campaign', labels: ['C3'] } });
    await probe.publish(Topics.xcAudiences, snapshot(forbidden, 's1', 'full', [{ added: [ecid] }]));

    const relabelled = newId('aud');
    await publishAudience(relabelled, ['C1']);
    const job = await createImport(relabelled);
    await probe.publish(Topics.xcAudiences, snapshot(relabelled, 's1', 'full', [{ added: [ecid] }]));
    await untilSnapshots(job.id, 1);
    await publishAudience(relabelled, ['C1', 'C12']);
    await probe.publish(Topics.xcAudiences, snapshot(relabelled, 's2', 'full', [{ added: [] }]));
    const view = await waitFor('second snapshot denied', async () => {
      const current = await importView(job.id);
      return current.state === 'denied' ? current : undefined;
    });
    expect(view.decision).toMatchObject({ allowed: false, policy: 'default:import-into-campaign', labels: ['C12'] });
    expect(await members(job.listId)).toEqual(['r-gov']);
    const decisions = await api<any>(`/v1/imports/${job.id}/decisions`);
    expect(decisions.body.items.map((d: { allowed: boolean }) => d.allowed)).toEqual([true, true, false]);

    // The first import still has nothing: its list is empty, and Campaign was told it was denied.
    expect(await members(denied.listId)).toEqual([]);
    const deniedEvent = await probe.waitFor('denied', (m) => m.json?.type === EventTypes.campaignImportDenied && m.json.data.importId === denied.id);
    expect(deniedEvent[0].json.data.decision).toEqual({ action: 'import-into-campaign', policy: 'default:import-into-campaign', labels: ['C3'] });
    expect(probe.received.some((m) => m.json?.data?.importId === denied.id && m.json.type !== EventTypes.campaignImportDenied)).toBe(false);
  });

  it("follows the org's own policies, validated", async () => {
    const bad = await api<any>('/v1/policies', { method: 'PUT', body: JSON.stringify([{ action: 'import-into-campaign', deniedLabels: ['C13'] }]) });
    expect(bad.status).toBe(400);
    const put = await api<any>('/v1/policies', { method: 'PUT', body: JSON.stringify([{ action: 'import-into-campaign', deniedLabels: ['C5'] }]) });
    expect(put.status).toBe(200);
    expect(put.body).toEqual([
      { action: 'import-into-campaign', deniedLabels: ['C5'], source: 'org' },
      { action: 'share-to-experience-cloud', deniedLabels: ['C1', 'C12'], source: 'default' },
    ]);
    const audienceId = newId('aud');
    await publishAudience(audienceId, ['C3', 'C5']);
    expect(await createImport(audienceId)).toMatchObject({ state: 'denied', decision: { policy: 'org:import-into-campaign', labels: ['C5'] } });
    await api('/v1/policies', { method: 'PUT', body: '[]' });
    expect((await api<any>('/v1/policies')).body[0]).toEqual({ action: 'import-into-campaign', deniedLabels: ['C3', 'C12'], source: 'default' });
  });

  it('fails the import with the reason when its data source is deleted before the snapshot is complete', async () => {
    const idrecApi = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${idrec.url}${path}`, {
        method,
        headers: { ...tenant.auth, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: response.status === 204 ? undefined : ((await response.json()) as any) };
    };
    const created = await idrecApi('POST', '/v1/data-sources', {
      name: 'CRM id',
      idType: 'declared',
      integrationCode: 'CRMID',
      reconciliationKey: { attribute: 'crmId', normalization: ['trim'] },
    });
    expect(created.status).toBe(201);
    const dataSourceId: string = created.body.id;
    const audienceId = newId('aud');
    await publishAudience(audienceId, []);
    // The data source reaches audience-import through idrec.data-sources.v1.
    const job = await waitFor('data source known to audience-import', async () => {
      const { status, body } = await api<any>('/v1/imports', {
        method: 'POST',
        body: JSON.stringify({ audienceId, listLabel: `List of ${audienceId}`, dataSourceId, mode: 'full' }),
      });
      return status === 202 ? body : undefined;
    });
    const declared = (parts: string[][]) =>
      parts.map((added, part) =>
        xc(EventTypes.xcAudienceMembers, audienceId, {
          audienceId,
          snapshotId: 's1',
          mode: 'full',
          idType: 'declared',
          dataSourceId,
          part,
          lastPart: part === parts.length - 1,
          added,
          removed: [],
        }),
      );
    const [first, last] = declared([['crm-1'], ['crm-2']]);
    // The snapshot's run opens while the data source still exists everywhere...
    await probe.publish(Topics.xcAudiences, [first]);
    await waitFor('snapshot run open', async () => (await importView(job.id)).state === 'running');
    // ...then the data source is deleted in id-reconciliation, and audience-import hears of it...
    expect((await idrecApi('DELETE', `/v1/data-sources/${dataSourceId}`)).status).toBe(204);
    await waitFor('data source deletion known to audience-import', async () => {
      const { status } = await api<any>('/v1/imports', { method: 'POST', body: JSON.stringify({ audienceId, listId: newId('l'), dataSourceId, mode: 'full' }) });
      return status === 422;
    });
    // ...before the snapshot's last part arrives.
    await probe.publish(Topics.xcAudiences, [last]);

    const failed = await waitFor('import failed', async () => {
      const view = await importView(job.id);
      return view.state === 'failed' ? view : undefined;
    });
    expect(failed.reason).toBe(`data source ${dataSourceId} was deleted before the snapshot was complete`);
    expect(failed.snapshots).toBe(0);
    expect(await members(job.listId)).toEqual([]);
    const [outcome] = await probe.waitFor('import failed event', (m) => m.json?.type === EventTypes.campaignImportFailed && m.json.data.importId === job.id);
    expect(outcome.json.data.reason).toBe(failed.reason);
    expect(probe.received.some((m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === job.id)).toBe(false);
  });

  it("dry-runs an audience's last full snapshot over REST: 404 problem+json until one is kept, 400 for a bad body, the scope and the org checked, nothing written", async () => {
    const audienceId = newId('aud');
    await publishAudience(audienceId, []);
    const dryRun = (body: unknown, auth: Record<string, string> = tenant.auth) =>
      fetch(`${importer.url}/v1/imports/dry-run`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const none = await dryRun({ audienceId });
    expect(none.status).toBe(404);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(await none.json()).toMatchObject({ type: expect.stringContaining('not-found'), detail: `no full snapshot of audience ${audienceId} was received (or none is kept)` });
    expect((await dryRun({ audienceId, extra: 1 })).status).toBe(400);
    expect((await dryRun({})).status).toBe(400);

    const [a, b, stranger] = [newEcid(), newEcid(), newEcid()];
    await observe([
      [a, newId('rcp')],
      [b, newId('rcp')],
    ]);
    await resolvable([a, b]);
    const job = await createImport(audienceId);
    await probe.publish(Topics.xcAudiences, snapshot(audienceId, 'kept', 'full', [{ added: [a, stranger] }, { added: [b] }]));
    const applied = await untilSnapshots(job.id, 1);
    const { status, body } = await api<any>('/v1/imports/dry-run', { method: 'POST', body: JSON.stringify({ audienceId }) });
    expect(status).toBe(200);
    // The list is what the snapshot made it: sent again, it changes nothing.
    expect(body).toEqual({
      dryRun: true,
      audienceId,
      snapshot: { key: 'xc:kept', idType: 'visitor', dataSourceId: null, ids: 3, parts: 2, receivedAt: expect.any(String) },
      effects: [{ importId: job.id, listId: job.listId, added: 0, removed: 0, matched: 2, unmatched: 1, matchRate: 2 / 3 }],
    });
    expect(await importView(job.id)).toEqual(applied);

    const reader = await ims.tenant(['audiences.read'], 'Reader org');
    expect((await dryRun({ audienceId }, reader.auth)).status).toBe(403);
    const otherOrg = await ims.tenant(['audiences.write'], 'Other org');
    expect((await dryRun({ audienceId }, otherOrg.auth)).status).toBe(404);
  });

  it('answers 422 for an unknown data source or audience', async () => {
    const audienceId = newId('aud');
    await publishAudience(audienceId, []);
    const noSource = await api<any>('/v1/imports', { method: 'POST', body: JSON.stringify({ audienceId, listId: newId('l'), dataSourceId: 'nope', mode: 'full' }) });
    expect(noSource).toMatchObject({ status: 422, body: { type: expect.stringContaining('unknown-data-source') } });
    const noAudience = await api<any>('/v1/imports', { method: 'POST', body: JSON.stringify({ audienceId: 'nope', listId: newId('l'), dataSourceId: 'visitor', mode: 'full' }) });
    expect(noAudience).toMatchObject({ status: 422, body: { type: expect.stringContaining('unknown-audience') } });
  });
});
