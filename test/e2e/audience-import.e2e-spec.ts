import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createEvent, EventTypes, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { expectInvisibleToOtherOrg, ImsTestClient, KafkaProbe, launchService, newEcid, newId, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/**
 * audience-import as Campaign and XC see it: IMS, id-reconciliation and audience-import as separate
 * processes; Audience Manager outbound files uploaded and dropped in the watched inbox.
 */
describe('audience-import end to end', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const inbox = mkdtempSync(join(tmpdir(), 'audience-import-inbox-'));
  let ims: ImsTestClient;
  let idrec: RunningService;
  let importer: RunningService;
  let tenant: Tenant;
  let other: Tenant;

  const api = async <T = any>(path: string, init: RequestInit = {}, who: Tenant = tenant): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${importer.url}${path}`, { ...init, headers: { ...who.auth, 'content-type': 'application/json', ...init.headers } });
    return { status: response.status, body: (await response.json()) as T };
  };
  const members = async (listId: string): Promise<string[]> => {
    const all: string[] = [];
    let cursor = '';
    for (;;) {
      const { body } = await api<{ items: Array<{ recipientId: string }>; nextCursor: string | null }>(`/v1/lists/${listId}/members?limit=1000&cursor=${cursor}`);
      all.push(...body.items.map((item) => item.recipientId));
      if (!body.nextCursor) return all;
      cursor = body.nextCursor;
    }
  };
  const event = (type: AnyHubEvent['type'], orgId: string, aggregateId: string, data: unknown) =>
    createEvent({ type, source: '/e2e', orgId, aggregateId, data } as never) as AnyHubEvent;
  const fileName = (mode: 'iter' | 'full', gz = false) => `S3_1234_0_acme_${mode}_${Date.now()}-0.sync${gz ? '.gz' : ''}`;

  /** Teaches id-reconciliation `count` visitors (as Campaign does) and waits until they resolve. */
  async function visitors(count: number): Promise<Array<{ ecid: string; recipientId: string }>> {
    const pairs = Array.from({ length: count }, () => ({ ecid: newEcid(), recipientId: newId('rcp') }));
    await probe.publish(
      Topics.campaignVisitorObservations,
      pairs.map(({ ecid, recipientId }) =>
        event(EventTypes.campaignVisitorObserved, tenant.orgId, recipientId, { recipientId, ecid, observedAt: new Date().toISOString(), channel: 'web' }),
      ),
    );
    await waitFor('visitors resolvable', async () => {
      const response = await fetch(`${idrec.url}/v1/resolve`, {
        method: 'POST',
        headers: { ...tenant.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ dataSourceId: 'visitor', direction: 'to-recipients', ids: pairs.map((p) => p.ecid) }),
      });
      return ((await response.json()) as { matched?: unknown[] }).matched?.length === count;
    });
    return pairs;
  }

  /** A catalogued audience (its id is its Audience Manager segment id) imported into a fresh list. */
  async function importedAudience(): Promise<{ audienceId: string; importId: string; listId: string }> {
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    await probe.publish(Topics.xcAudiences, [
      event(EventTypes.xcAudiencePublished, tenant.orgId, audienceId, { audienceId, name: `Segment ${audienceId}`, solution: 'audience-manager', labels: ['C2'] }),
    ]);
    await waitFor('audience catalogued', async () => (await api(`/v1/xc-audiences/${audienceId}`)).status === 200);
    const { status, body } = await api('/v1/imports', { method: 'POST', body: JSON.stringify({ audienceId, listLabel: 'From AAM', dataSourceId: 'visitor', mode: 'full' }) });
    expect(status).toBe(202);
    return { audienceId, importId: body.id, listId: body.listId };
  }

  const upload = (name: string, body: Buffer | string) =>
    fetch(`${importer.url}/v1/files?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { ...tenant.auth, 'content-type': 'application/octet-stream' },
      body,
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));

  beforeAll(async () => {
    ims = await ImsTestClient.start(env);
    [idrec, importer] = await Promise.all([
      launchService('id-reconciliation', env.serviceEnv('id-reconciliation', { ...ims.trustEnv })),
      launchService('audience-import', env.serviceEnv('audience-import', { ...ims.trustEnv, IMPORT_INBOX_DIR: inbox, IMPORT_INBOX_POLL_MS: '100' })),
    ]);
    const scopes = ['audiences.read', 'audiences.write', 'policies.write', 'identities.read'];
    [tenant, other] = await Promise.all([ims.tenant(scopes), ims.tenant(scopes, 'Other org')]);
    await probe.listen([Topics.campaignImports]);
    await probe.publish(
      Topics.imsEvents,
      [tenant, other].map((t) => event(EventTypes.imsOrgCreated, t.orgId, t.orgId, { orgId: t.orgId, name: 'Org', createdAt: new Date().toISOString() })),
    );
  });

  afterAll(async () => {
    await Promise.all([importer?.stop(), idrec?.stop()]);
    await ims?.stop();
    await probe.close();
  });

  it('imports the good lines of an uploaded gzip file and reports the bad ones with their line numbers', async () => {
    const people = await visitors(297);
    const { audienceId, importId, listId } = await importedAudience();
    const unknown = newEcid();
    const lines = [
      ...people.slice(0, 150).map((p) => `${p.ecid} ${audienceId},999 `),
      'not a valid line at all',
      `12345 ${audienceId} `,
      ...people.slice(150).map((p) => `${p.ecid} ${audienceId}`),
      `${unknown} ${audienceId}`,
    ];
    const { status, body } = await upload(fileName('full', true), gzipSync(lines.join('\n') + '\n'));
    expect(status).toBe(200);
    expect(body).toMatchObject({ state: 'applied', lines: 300, applied: 298, errorCount: 2 });
    expect(body.errors).toEqual([
      { line: 151, reason: expect.stringContaining('got 6 fields') },
      { line: 152, reason: 'id: ECID must be exactly 38 decimal digits' },
    ]);

    // Links id-reconciliation made just before may reach audience-import's replica after the file:
    // they join the list as late links, so the counts are read once every known visitor matched.
    const job = await waitFor('file applied and every known visitor matched', async () => {
      const view = (await api(`/v1/imports/${importId}`)).body;
      return view.state === 'completed' && view.counts.matched === 297 ? view : undefined;
    });
    expect(job.counts).toEqual({ received: 299, matched: 297, unmatched: 1, pending: 1, added: 297, removed: 0, invalid: 1 });
    expect(await members(listId)).toEqual(people.map((p) => p.recipientId).sort());
    expect((await api(`/v1/files/${body.id}`)).body).toMatchObject({ id: body.id, state: 'applied', errorCount: 2 });
  });

  it('refuses a file past the error ratio and applies nothing of it', async () => {
    const people = await visitors(3);
    const { audienceId, importId, listId } = await importedAudience();
    const lines = [...people.map((p) => `${p.ecid} ${audienceId}`), 'bad', 'worse'];
    const { status, body } = await upload(fileName('full'), lines.join('\n'));
    expect(status).toBe(422);
    expect(body).toMatchObject({ type: expect.stringContaining('file-refused'), state: 'refused', lines: 5, applied: 0, errorCount: 2 });
    expect(body.errors.map((e: { line: number }) => e.line)).toEqual([4, 5]);
    expect((await api(`/v1/imports/${importId}`)).body).toMatchObject({ state: 'pending', snapshots: 0 });
    expect(await members(listId)).toEqual([]);
  });

  it('processes files dropped in the inbox once, then moves them with their report', async () => {
    const people = await visitors(4);
    const { audienceId, importId, listId } = await importedAudience();
    const orgDir = join(inbox, tenant.orgId);
    mkdirSync(orgDir, { recursive: true });
    const full = fileName('full');
    writeFileSync(
      join(orgDir, full),
      people
        .slice(0, 3)
        .map((p) => `${p.ecid} ${audienceId}`)
        .join('\n'),
    );
    await waitFor('full file processed', () => existsSync(join(orgDir, 'processed', full)));
    expect(JSON.parse(readFileSync(join(orgDir, 'processed', `${full}.report.json`), 'utf8'))).toMatchObject({ state: 'applied', lines: 3, applied: 3 });
    await waitFor('full applied', async () => (await api(`/v1/imports/${importId}`)).body.snapshots === 1);

    // An iter file is a delta: one member in, one out.
    const iter = `S3_1234_0_acme_iter_${Date.now() + 1}-0.sync.gz`;
    writeFileSync(join(orgDir, iter), gzipSync(`${people[3].ecid} ${audienceId} \n${people[0].ecid}  ${audienceId}\n`));
    await waitFor('iter file processed', () => existsSync(join(orgDir, 'processed', iter)));
    await waitFor('delta applied', async () => (await api(`/v1/imports/${importId}`)).body.snapshots === 2);
    const expected = [people[1], people[2], people[3]].map((p) => p.recipientId).sort();
    await waitFor('the list holds the audience', async () => JSON.stringify(await members(listId)) === JSON.stringify(expected));

    const badName = 'not-an-outbound-file.sync';
    writeFileSync(join(orgDir, badName), 'x');
    await waitFor('badly named file rejected', () => existsSync(join(orgDir, 'rejected', `${badName}.report.json`)));
  });

  it("hides an org's catalog, imports, decisions, lists and files from another org", async () => {
    const people = await visitors(1);
    const { audienceId, importId, listId } = await importedAudience();
    const { body: file } = await upload(fileName('full'), `${people[0].ecid} ${audienceId}\n`);
    await waitFor('applied', async () => (await api(`/v1/imports/${importId}`)).body.snapshots === 1);
    await expectInvisibleToOtherOrg(
      tenant,
      other,
      [
        { url: `${importer.url}/v1/imports/${importId}` },
        { url: `${importer.url}/v1/imports/${importId}/decisions` },
        { url: `${importer.url}/v1/lists/${listId}/members` },
        { url: `${importer.url}/v1/xc-audiences/${audienceId}` },
        { url: `${importer.url}/v1/files/${file.id}` },
      ],
      [people[0].recipientId],
    );
    const lists = await api('/v1/imports', {}, other);
    expect(lists.body.items).toEqual([]);
  });
});
