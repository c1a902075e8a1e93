import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { EventTypes, Topics } from '@audience-hub/contracts';
import { FINAL_STATES, type ExportMode, type HubClient, type HubEventProducer, type UpdateView } from '@audience-hub/client';
import { KafkaProbe, launchStack, newId, testEnv, waitFor, type Stack, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/**
 * "Update shared audience" end to end with the real id-reconciliation: Campaign publishes recipients
 * and a list (the client's event producer), an operator exports it through REST (the client), and
 * an XC consumer reads the member changes (Kafka) and the Audience Manager inbound files (the sink
 * directory).
 */
describe('audience-export with id-reconciliation', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const sinkDir = mkdtempSync(join(tmpdir(), 'export-e2e-'));
  let stack: Stack;
  let tenant: Tenant;
  let client: HubClient;
  let campaign: HubEventProducer;

  const files = () =>
    readdirSync(sinkDir)
      .filter((name) => !name.startsWith('.'))
      .sort();
  const read = (name: string) => gunzipSync(readFileSync(join(sinkDir, name))).toString('utf8');

  const publishList = async (listId: string, type: 'added' | 'removed', recipientIds: string[]) => {
    await campaign.listMembers({ orgId: tenant.orgId, listId, changeId: randomUUID(), [type]: recipientIds });
  };
  const upsertRecipients = (recipients: Array<{ recipientId: string; attributes: Record<string, string> }>) =>
    campaign.publishMany(recipients.map((data) => ({ type: EventTypes.campaignRecipientUpserted, orgId: tenant.orgId, aggregateId: data.recipientId, data })));

  const update = async (audienceId: string, listId: string, mode: ExportMode): Promise<UpdateView> => {
    const accepted = await client.exports.update(audienceId, { listId, mode });
    expect(accepted.state).toBe('pending');
    return waitFor(
      `update ${accepted.id} finished`,
      async () => {
        const answer = await client.exports.getUpdate(audienceId, accepted.id);
        return FINAL_STATES.has(answer.state) ? answer : undefined;
      },
      { timeoutMs: 60_000 },
    );
  };

  const changesOf = (audienceId: string, version: number) =>
    probe.received.filter((m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audienceId && m.json.data.version === version);

  beforeAll(async () => {
    stack = await launchStack(env, { services: ['id-reconciliation', 'audience-export'], env: { 'audience-export': { EXPORT_FILE_SINK_DIR: sinkDir } } });
    tenant = await stack.tenant(['audiences.read', 'audiences.write', 'identities.read', 'identities.write']);
    client = stack.client(tenant);
    campaign = stack.producer('/campaign');
    await probe.listen([Topics.xcCampaignAudiences, Topics.campaignSharedAudienceResults]);
  });

  afterAll(async () => {
    await stack?.stop();
    await probe.close();
    rmSync(sinkDir, { recursive: true, force: true });
  });

  it('exports add-only then mirror, reports unmapped recipients, writes the inbound files, repeats nothing, and follows list changes', async () => {
    // A declared-ID data source in id-reconciliation, matched on crmId; it reaches audience-export through idrec.data-sources.v1.
    const created = await client.identities.createDataSource({
      name: 'CRM id',
      idType: 'declared',
      integrationCode: 'CRMID',
      reconciliationKey: { attribute: 'crmId', normalization: ['trim', 'lowercase'] },
      xcDataSourceId: '163447',
    });
    expect(created).toMatchObject({ name: 'CRM id', xcDataSourceId: '163447' });
    const dataSourceId = created.id;
    const audience = await waitFor('data source known to audience-export', () => client.exports.create({ segmentName: 'Loyal customers', dataSourceId }));

    // Recipients r-1..r-4 have a CRM id, r-5 has none (unmapped); r-6 joins later.
    const crm = (n: number) => `C-${n}`;
    await upsertRecipients(
      [1, 2, 3, 4, 5, 6].map((n) => ({ recipientId: `r-${n}`, attributes: (n === 5 ? { email: 'x@example.com' } : { crmId: ` ${crm(n)} ` }) as Record<string, string> })),
    );
    await waitFor('recipients reconciled', async () => (await client.identities.resolve({ dataSourceId, direction: 'to-xc', ids: ['r-6'] })).matched.length === 1);
    const listId = newId('list');
    await campaign.publish({ type: EventTypes.campaignListCreated, orgId: tenant.orgId, aggregateId: listId, data: { listId, label: 'Loyal' } });
    await publishList(listId, 'added', ['r-1', 'r-2', 'r-3', 'r-4', 'r-5']);
    const memberCount = async (list = listId) => (await client.exports.campaignList(list)).memberCount;
    await waitFor('list stored', async () => (await memberCount()) === 5);

    // 1. First export: everything mapped is added; the whole audience goes out in an .overwrite file.
    const first = await update(audience.id, listId, 'add-only');
    expect(first).toMatchObject({ state: 'completed', version: 1, counts: { exported: 4, added: 4, removed: 0, unmapped: 1 } });
    const unmapped = await client.exports.unmapped(audience.id, first.id);
    expect(unmapped).toEqual({ items: [{ recipientId: 'r-5' }], nextCursor: null });
    const [v1] = await probe.waitFor('version 1 chunk', (m) => changesOf(audience.id, 1).includes(m));
    expect(v1.json.data).toEqual({ sharedAudienceId: audience.id, version: 1, idType: 'declared', part: 0, lastPart: true, added: ['c-1', 'c-2', 'c-3', 'c-4'], removed: [] });
    const [completed] = await probe.waitFor('outcome', (m) => m.json?.data?.updateId === first.id);
    expect(completed.json.data).toMatchObject({ state: 'completed', version: 1, exported: 4, unmapped: 1 });
    await waitFor('first file', () => files().length === 1);
    const [overwrite] = files();
    expect(overwrite).toMatch(/^ftp_dpm_163447_\d{10}\.overwrite\.gz$/);
    const sid = audience.segmentId;
    expect(read(overwrite)).toBe(`c-1\td_sid=${sid}\nc-2\td_sid=${sid}\nc-3\td_sid=${sid}\nc-4\td_sid=${sid}\n`);

    // 2. The same update again changes nothing: same version, no chunk, no file.
    const again = await update(audience.id, listId, 'add-only');
    expect(again).toMatchObject({ state: 'completed', version: 1, counts: { exported: 4, added: 0, removed: 0, unmapped: 1 } });
    await probe.waitFor('second outcome', (m) => m.json?.data?.updateId === again.id);
    expect(changesOf(audience.id, 2)).toEqual([]);
    expect(files()).toEqual([overwrite]);

    // 3. r-1 leaves, r-6 joins. add-only adds r-6 and keeps r-1.
    await publishList(listId, 'added', ['r-6']);
    await waitFor('r-6 joined', async () => (await memberCount()) === 6);
    await publishList(listId, 'removed', ['r-1']);
    await waitFor('r-1 left', async () => (await memberCount()) === 5);
    const addOnly = await update(audience.id, listId, 'add-only');
    expect(addOnly).toMatchObject({ state: 'completed', version: 2, counts: { exported: 5, added: 1, removed: 0, unmapped: 1 } });
    const [v2] = await probe.waitFor('version 2 chunk', (m) => changesOf(audience.id, 2).includes(m));
    expect(v2.json.data).toMatchObject({ added: ['c-6'], removed: [] });

    // 4. mirror removes the one who left.
    const mirror = await update(audience.id, listId, 'mirror');
    expect(mirror).toMatchObject({ state: 'completed', version: 3, counts: { exported: 4, added: 0, removed: 1, unmapped: 1 } });
    const [v3] = await probe.waitFor('version 3 chunk', (m) => changesOf(audience.id, 3).includes(m));
    expect(v3.json.data).toMatchObject({ added: [], removed: ['c-1'], lastPart: true });
    await waitFor('three files', () => files().length === 3);
    const [, second, third] = files();
    expect(second).toMatch(/\.sync\.gz$/);
    expect(read(second)).toBe(`c-6\td_sid=${sid}\n`);
    expect(read(third)).toBe(`c-1\td_unsid=${sid}\n`);
    expect((await client.exports.get(audience.id)).version).toBe(3);

    // 5. Later mirror updates read only the list's changes since the last one; the outcome is the
    // same as comparing whole sets. r-3 leaves, r-1 comes back, r-4 leaves and comes back, and
    // r-5 (unmapped so far) gets a CRM id.
    await publishList(listId, 'removed', ['r-3', 'r-4']);
    await waitFor('r-3 and r-4 left', async () => (await memberCount()) === 3);
    await publishList(listId, 'added', ['r-1', 'r-4']);
    await upsertRecipients([{ recipientId: 'r-5', attributes: { crmId: crm(5) } }]);
    await waitFor('r-5 reconciled', async () => (await client.identities.resolve({ dataSourceId, direction: 'to-xc', ids: ['r-5'] })).matched.length === 1);
    await waitFor('r-1 and r-4 joined', async () => (await memberCount()) === 5);
    const incremental = await update(audience.id, listId, 'mirror');
    expect(incremental).toMatchObject({ state: 'completed', version: 4, counts: { exported: 5, added: 2, removed: 1, unmapped: 0 } });
    const [v4] = await probe.waitFor('version 4 chunk', (m) => changesOf(audience.id, 4).includes(m));
    expect(v4.json.data).toMatchObject({ added: ['c-1', 'c-5'], removed: ['c-3'] });

    // 6. Mirroring another list compares whole sets: only that list's members stay.
    const other = newId('list');
    await publishList(other, 'added', ['r-2', 'r-3']);
    await waitFor('other list stored', async () => (await memberCount(other)) === 2);
    const switched = await update(audience.id, other, 'mirror');
    expect(switched).toMatchObject({ state: 'completed', version: 5, counts: { exported: 2, added: 1, removed: 4, unmapped: 0 } });
    const [v5] = await probe.waitFor('version 5 chunk', (m) => changesOf(audience.id, 5).includes(m));
    expect(v5.json.data).toMatchObject({ added: ['c-3'], removed: ['c-1', 'c-4', 'c-5', 'c-6'] });

    // 7. A list deleted and created again has no history to read from: whole sets again.
    await campaign.publish({ type: EventTypes.campaignListDeleted, orgId: tenant.orgId, aggregateId: other, data: { listId: other } });
    await publishList(other, 'added', ['r-6']);
    await waitFor('other list recreated', async () => (await memberCount(other)) === 1);
    const recreated = await update(audience.id, other, 'mirror');
    expect(recreated).toMatchObject({ state: 'completed', version: 6, counts: { exported: 1, added: 1, removed: 2, unmapped: 0 } });
    const [v6] = await probe.waitFor('version 6 chunk', (m) => changesOf(audience.id, 6).includes(m));
    expect(v6.json.data).toMatchObject({ added: ['c-6'], removed: ['c-2', 'c-3'] });
  });
});
