import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EventTypes, Topics } from '@audience-hub/contracts';
import { allPages, HubApiError, type HubClient, type HubEventProducer } from '@audience-hub/client';
import { announceOrgs, expectInvisibleToOtherOrg, KafkaProbe, launchStack, newEcid, newId, testEnv, waitFor, type Stack, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/**
 * audience-import as Campaign and XC see it: IMS, id-reconciliation and audience-import as separate
 * processes, driven through the client and its event producer; Audience Manager outbound files
 * uploaded and dropped in the watched inbox.
 */
describe('audience-import end to end', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const inbox = mkdtempSync(join(tmpdir(), 'audience-import-inbox-'));
  let stack: Stack;
  let tenant: Tenant;
  let other: Tenant;
  let client: HubClient;
  let producer: HubEventProducer;

  const members = async (listId: string): Promise<string[]> => {
    const all: string[] = [];
    for await (const member of allPages((page) => client.imports.members(listId, page))) all.push(member.recipientId);
    return all;
  };
  const fileName = (mode: 'iter' | 'full', gz = false) => `S3_1234_0_acme_${mode}_${Date.now()}-0.sync${gz ? '.gz' : ''}`;

  /** Teaches id-reconciliation `count` visitors (as Campaign does) and waits until they resolve. */
  async function visitors(count: number): Promise<Array<{ ecid: string; recipientId: string }>> {
    const pairs = Array.from({ length: count }, () => ({ ecid: newEcid(), recipientId: newId('rcp') }));
    await producer.publishMany(
      pairs.map(({ ecid, recipientId }) => ({
        type: EventTypes.campaignVisitorObserved,
        orgId: tenant.orgId,
        aggregateId: recipientId,
        data: { recipientId, ecid, observedAt: new Date().toISOString(), channel: 'web' as const },
      })),
    );
    await waitFor(
      'visitors resolvable',
      async () => (await client.identities.resolve({ dataSourceId: 'visitor', direction: 'to-recipients', ids: pairs.map((p) => p.ecid) })).matched.length === count,
    );
    return pairs;
  }

  /** A catalogued audience (its id is its Audience Manager segment id) imported into a fresh list. */
  async function importedAudience(): Promise<{ audienceId: string; importId: string; listId: string }> {
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    await producer.publish({
      type: EventTypes.xcAudiencePublished,
      orgId: tenant.orgId,
      aggregateId: audienceId,
      data: { audienceId, name: `Segment ${audienceId}`, solution: 'audience-manager', labels: ['C2'] },
    });
    await waitFor('audience catalogued', () => client.imports.audience(audienceId));
    const created = await client.imports.create({ audienceId, listLabel: 'From AAM', dataSourceId: 'visitor', mode: 'full' });
    expect(created).toMatchObject({ audienceId, state: 'pending' });
    return { audienceId, importId: created.id, listId: created.listId! };
  }

  const upload = (name: string, body: Buffer | string) => client.imports.uploadFile(name, body);

  beforeAll(async () => {
    stack = await launchStack(env, {
      services: ['id-reconciliation', 'audience-import'],
      env: { 'audience-import': { IMPORT_INBOX_DIR: inbox, IMPORT_INBOX_POLL_MS: '100' } },
    });
    const scopes = ['audiences.read', 'audiences.write', 'policies.write', 'identities.read'];
    [tenant, other] = await Promise.all([stack.tenant(scopes), stack.tenant(scopes, 'Other org')]);
    client = stack.client(tenant);
    producer = stack.producer();
    await probe.listen([Topics.campaignImports]);
    await announceOrgs(probe, [tenant, other]);
  });

  afterAll(async () => {
    await stack?.stop();
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
    const report = await upload(fileName('full', true), gzipSync(lines.join('\n') + '\n'));
    expect(report).toMatchObject({ state: 'applied', lines: 300, applied: 298, errorCount: 2 });
    expect(report.errors).toEqual([
      { line: 151, reason: expect.stringContaining('got 6 fields') },
      { line: 152, reason: 'id: ECID must be exactly 38 decimal digits' },
    ]);

    // Links id-reconciliation made just before may reach audience-import's replica after the file:
    // they join the list as late links, so the counts are read once every known visitor matched.
    const job = await waitFor('file applied and every known visitor matched', async () => {
      const view = await client.imports.get(importId);
      return view.state === 'completed' && view.counts.matched === 297 ? view : undefined;
    });
    expect(job.counts).toEqual({ received: 299, matched: 297, unmatched: 1, pending: 1, added: 297, removed: 0, invalid: 1 });
    expect(await members(listId)).toEqual(people.map((p) => p.recipientId).sort());
    expect(await client.imports.file(report.id)).toMatchObject({ id: report.id, state: 'applied', errorCount: 2 });
  });

  it('refuses a file past the error ratio and applies nothing of it', async () => {
    const people = await visitors(3);
    const { audienceId, importId, listId } = await importedAudience();
    const lines = [...people.map((p) => `${p.ecid} ${audienceId}`), 'bad', 'worse'];
    const refused = await upload(fileName('full'), lines.join('\n')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HubApiError);
    const { status, problem } = refused as HubApiError;
    expect(status).toBe(422);
    expect(problem).toMatchObject({ type: expect.stringContaining('file-refused'), state: 'refused', lines: 5, applied: 0, errorCount: 2 });
    expect((problem!.errors as Array<{ line: number }>).map((e) => e.line)).toEqual([4, 5]);
    expect(await client.imports.get(importId)).toMatchObject({ state: 'pending', snapshots: 0 });
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
    await waitFor('full applied', async () => (await client.imports.get(importId)).snapshots === 1);

    // An iter file is a delta: one member in, one out.
    const iter = `S3_1234_0_acme_iter_${Date.now() + 1}-0.sync.gz`;
    writeFileSync(join(orgDir, iter), gzipSync(`${people[3].ecid} ${audienceId} \n${people[0].ecid}  ${audienceId}\n`));
    await waitFor('iter file processed', () => existsSync(join(orgDir, 'processed', iter)));
    await waitFor('delta applied', async () => (await client.imports.get(importId)).snapshots === 2);
    const expected = [people[1], people[2], people[3]].map((p) => p.recipientId).sort();
    await waitFor('the list holds the audience', async () => JSON.stringify(await members(listId)) === JSON.stringify(expected));

    const badName = 'not-an-outbound-file.sync';
    writeFileSync(join(orgDir, badName), 'x');
    await waitFor('badly named file rejected', () => existsSync(join(orgDir, 'rejected', `${badName}.report.json`)));
  });

  it("hides an org's catalog, imports, decisions, lists and files from another org", async () => {
    const people = await visitors(1);
    const { audienceId, importId, listId } = await importedAudience();
    const file = await upload(fileName('full'), `${people[0].ecid} ${audienceId}\n`);
    await waitFor('applied', async () => (await client.imports.get(importId)).snapshots === 1);
    // Raw HTTP with the other org's token: the point is each answer's status, media type and body text.
    const importer = stack.importer;
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
    const lists = await stack.client(other).imports.list();
    expect(lists.items).toEqual([]);
  });
});
