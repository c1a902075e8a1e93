import { Client } from 'pg';
import { EventTypes, Topics } from '@audience-hub/contracts';
import { allPages, HubApiError, type CreatePrivacyRequest, type HubClient, type HubEventProducer, type PrivacyRequest } from '@audience-hub/client';
import { announceOrgs, KafkaProbe, launchStack, newEcid, newId, testEnv, waitFor, type Stack, type Tenant } from '@audience-hub/testing';

const env = testEnv();
const SCHEMAS = ['ims', 'idrec', 'audience_import', 'audience_export'];

/**
 * A privacy delete end to end, the four services as separate processes: a person in an imported
 * list, in a shared audience exported to XC, with pending ids and identity history, is erased from
 * every table of every schema, XC receives the removals, and each service's receipt completes the
 * request. Driven as users would: the client for the routes, its event producer as Campaign and XC;
 * the probe only reads what XC and Campaign receive.
 */
describe('privacy requests end to end', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  let stack: Stack;
  let tenant: Tenant;
  let client: HubClient;
  let campaign: HubEventProducer;
  let xc: HubEventProducer;

  /** The client's typed error of a call the service refuses: its status and problem+json body. */
  const refusal = async (call: Promise<unknown>): Promise<HubApiError> => {
    const error = await call.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(HubApiError);
    return error as HubApiError;
  };

  /** Follows a privacy request until every receipt completed it. */
  const completed = (requestId: string, description: string) =>
    waitFor(
      description,
      async () => {
        const answer = await client.identities.privacyRequest(requestId);
        return answer.status === 'completed' ? answer : undefined;
      },
      { timeoutMs: 60_000 },
    );
  const receiptOf = (request: PrivacyRequest, service: string) => request.receipts.find((r) => r.service === service);
  const heldBy = (request: PrivacyRequest, service: string, table: string) => (request.document?.[service] as Record<string, unknown[]>)[table];

  const observed = (recipientId: string, ecid: string, observedAt = new Date().toISOString()) => ({
    type: EventTypes.campaignVisitorObserved,
    orgId: tenant.orgId,
    aggregateId: recipientId,
    data: { recipientId, ecid, observedAt, channel: 'web' as const },
  });
  /** A Campaign list with these members, as Campaign publishes it. */
  const campaignList = async (label: string, recipientIds: string[]) => {
    const listId = newId('list');
    await campaign.publish({ type: EventTypes.campaignListCreated, orgId: tenant.orgId, aggregateId: listId, data: { listId, label } });
    await campaign.listMembers({ orgId: tenant.orgId, listId, changeId: newId('change'), added: recipientIds });
    return listId;
  };
  /** An Audience Manager audience published to the catalog, and a full visitor import of it into a fresh list. */
  const importedAudience = async () => {
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    await xc.publish({
      type: EventTypes.xcAudiencePublished,
      orgId: tenant.orgId,
      aggregateId: audienceId,
      data: { audienceId, name: 'Visitors', solution: 'audience-manager', labels: [] },
    });
    await waitFor('audience catalogued', () => client.imports.audience(audienceId));
    const started = await client.imports.create({ audienceId, listLabel: 'Visitors', dataSourceId: 'visitor', mode: 'full' });
    expect(started).toMatchObject({ audienceId, state: 'pending' });
    return { audienceId, importId: started.id };
  };
  const fullSnapshot = (audienceId: string, added: string[]) =>
    xc.audienceMembers({ orgId: tenant.orgId, audienceId, snapshotId: newId('snap'), mode: 'full', idType: 'visitor', added });
  /** Exports a Campaign list into a shared audience (add-only) and waits until it completed. */
  const exported = async (sharedAudienceId: string, listId: string) => {
    const update = await client.exports.update(sharedAudienceId, { listId, mode: 'add-only' });
    expect(update.state).toBe('pending');
    await waitFor('exported', async () => (await client.exports.getUpdate(sharedAudienceId, update.id)).state === 'completed');
  };

  beforeAll(async () => {
    await db.connect();
    stack = await launchStack(env, { services: ['id-reconciliation', 'audience-import', 'audience-export'] });
    tenant = await stack.tenant(['audiences.read', 'audiences.write', 'identities.read', 'identities.write', 'privacy.read', 'privacy.write']);
    client = stack.client(tenant);
    campaign = stack.producer('/campaign');
    xc = stack.producer('/xc/audience-manager');
    await probe.listen([Topics.xcCampaignAudiences, Topics.campaignImports, Topics.hubPrivacy]);
    await announceOrgs(probe, [tenant]);
  });

  afterAll(async () => {
    await stack?.stop();
    await probe.close();
    await db.end();
  });

  it('accepts a request with 202, refuses an unknown namespace, a malformed ECID and 1,001 subjects as problem+json, and needs privacy.write', async () => {
    // Raw HTTP for the status and media type of an answer (the client reads neither): the point is the HTTP layer.
    const post = (body: unknown) =>
      fetch(`${stack.idrec.url}/v1/privacy/requests`, { method: 'POST', headers: { ...tenant.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const accepted = await post({ regulation: 'gdpr', type: 'delete', subjects: [{ namespace: 'recipientId', value: newId('nobody') }], dryRun: true });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('content-type')).toContain('application/json');
    expect(await accepted.json()).toMatchObject({ dryRun: true, status: 'pending' });
    const unknown = await post({ regulation: 'gdpr', type: 'delete', subjects: [{ namespace: 'fax', value: '1' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(((await unknown.json()) as { errors: string[] }).errors).toEqual([expect.stringContaining('subjects.0.namespace: unknown namespace "fax"')]);

    // The rest through the client: its typed error carries the status and the problem body.
    const ecid = await refusal(client.identities.createPrivacyRequest({ regulation: 'gdpr', type: 'delete', subjects: [{ namespace: 'ecid', value: '12ab' }] }));
    expect(ecid.status).toBe(400);
    expect(ecid.problem?.errors).toEqual(['subjects.0.value: an ECID is 38 decimal digits']);
    const subjects = Array.from({ length: 1001 }, (_, i) => ({ namespace: 'recipientId', value: `r-${i}` }));
    const tooMany = await refusal(client.identities.createPrivacyRequest({ regulation: 'gdpr', type: 'delete', subjects }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.problem?.errors).toEqual(['subjects: at most 1000 subjects per request']);
    const reader = stack.client(await stack.tenant(['identities.read']));
    const denied = await refusal(reader.identities.createPrivacyRequest({ regulation: 'gdpr', type: 'delete', subjects: subjects.slice(0, 1) }));
    expect(denied.status).toBe(403);
  });

  it("deletes a person from every schema, removes them at XC and in Campaign's imported list, and completes with every receipt", async () => {
    // id-reconciliation: a CRM data source; alice (the subject) and bob, with ECIDs; one of alice's is history only.
    const crm = await client.identities.createDataSource({
      name: 'CRM id',
      idType: 'declared',
      integrationCode: 'CRMID',
      reconciliationKey: { attribute: 'crmId', normalization: ['trim', 'lowercase'] },
    });
    expect(crm).toMatchObject({ name: 'CRM id', idType: 'declared' });
    const dataSourceId = crm.id;
    const alice = newId('alice');
    const bob = newId('bob');
    const [aliceEcid, aliceOldEcid, bobEcid, pendingEcid, otherPendingEcid] = Array.from({ length: 5 }, () => newEcid());
    const aliceCrm = newId('crm-a').toLowerCase();
    const bobCrm = newId('crm-b').toLowerCase();
    await campaign.publishMany(
      [
        { recipientId: alice, attributes: { crmId: aliceCrm } },
        { recipientId: bob, attributes: { crmId: bobCrm } },
      ].map((data) => ({ type: EventTypes.campaignRecipientUpserted, orgId: tenant.orgId, aggregateId: data.recipientId, data })),
    );
    await campaign.publishMany([
      observed(alice, aliceOldEcid, '2026-01-01T00:00:00Z'),
      observed(bob, aliceOldEcid, '2026-02-01T00:00:00Z'), // alice's old ECID is bob's now: only history ties it to alice
      observed(alice, aliceEcid, '2026-03-01T00:00:00Z'),
      observed(bob, bobEcid, '2026-03-01T00:00:00Z'),
    ]);
    await waitFor(
      'graph in id-reconciliation',
      async () => (await client.identities.resolve({ dataSourceId: 'visitor', direction: 'to-recipients', ids: [aliceEcid, bobEcid, aliceOldEcid] })).matched.length === 3,
    );

    // audience-import: an XC audience with both, a pending id of alice's (the subject names it) and another pending one.
    const { audienceId, importId } = await importedAudience();
    await waitFor(
      'replica has the links',
      async () => (await db.query(`SELECT 1 FROM audience_import.identity_links WHERE org_id = $1 AND xc_id = ANY($2)`, [tenant.orgId, [aliceEcid, bobEcid]])).rowCount === 2,
    );
    await fullSnapshot(audienceId, [aliceEcid, bobEcid, pendingEcid, otherPendingEcid]);
    const imported = await waitFor('import applied', async () => {
      const view = await client.imports.get(importId);
      return view.state === 'completed' && view.counts.matched === 2 ? view : undefined;
    });
    const listId = imported.listId;

    // audience-export: a Campaign list with both shared with XC on the CRM id.
    const audience = await waitFor('data source known to audience-export', () => client.exports.create({ segmentName: `Loyal ${newId('s')}`, dataSourceId }));
    const loyal = await campaignList('Loyal', [alice, bob]);
    await waitFor('list stored', async () => (await client.exports.campaignList(loyal)).memberCount === 2);
    await waitFor(
      'replica of export has the CRM ids',
      async () => (await db.query(`SELECT 1 FROM audience_export.identity_links WHERE org_id = $1 AND xc_id = ANY($2)`, [tenant.orgId, [aliceCrm, bobCrm]])).rowCount === 2,
    );
    await exported(audience.id, loyal);

    // The request: alice by recipient id, and the pending ECID XC sent for her. A dry run first counts, changing nothing.
    const body: CreatePrivacyRequest = {
      regulation: 'gdpr',
      type: 'delete',
      subjects: [
        { namespace: 'recipientId', value: alice },
        { namespace: 'ecid', value: pendingEcid },
      ],
    };
    const dry = await client.identities.createPrivacyRequest({ ...body, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, status: 'pending' });
    const counted = await completed(dry.requestId, 'dry run completed');
    expect(receiptOf(counted, 'id-reconciliation')?.counts).toMatchObject({ recipients: 1, declared_ids: 1, visitor_links: 2, visitor_observations: 3 });
    expect(receiptOf(counted, 'audience-import')?.counts).toMatchObject({ import_members: 1, pending_ids: 1 });
    expect(receiptOf(counted, 'audience-export')?.counts).toMatchObject({ exported_members: 1, campaign_list_members: 1 });
    expect((await db.query(`SELECT 1 FROM idrec.recipients WHERE org_id = $1 AND recipient_id = $2`, [tenant.orgId, alice])).rowCount).toBe(1);

    // Access: a document of everything held for her, per service and table.
    const access = await client.identities.createPrivacyRequest({ ...body, type: 'access' });
    expect(access).toMatchObject({ type: 'access', status: 'pending' });
    const held = await completed(access.requestId, 'access completed');
    expect(heldBy(held, 'id-reconciliation', 'recipients')).toEqual([expect.objectContaining({ recipient_id: alice, attributes: { crmId: aliceCrm } })]);
    expect(heldBy(held, 'audience-import', 'import_members')).toEqual([expect.objectContaining({ xc_id: aliceEcid, recipient_id: alice })]);
    expect(heldBy(held, 'audience-import', 'pending_ids')).toEqual([expect.objectContaining({ xc_id: pendingEcid })]);
    expect(heldBy(held, 'audience-export', 'exported_members')).toEqual([expect.objectContaining({ xc_id: aliceCrm })]);

    const accepted = await client.identities.createPrivacyRequest(body, { idempotencyKey: `k-${alice}` });
    expect(accepted).toMatchObject({ status: 'pending', duplicate: false });
    const requestId = accepted.requestId;
    // Idempotent: the same key, or the same subjects while unfinished, answer the same request.
    expect(await client.identities.createPrivacyRequest(body, { idempotencyKey: `k-${alice}` })).toMatchObject({ requestId, duplicate: true });

    let last: unknown;
    const done = await waitFor(
      'request completed',
      async () => {
        const answer = (last = await client.identities.privacyRequest(requestId));
        return answer.status === 'completed' ? answer : undefined;
      },
      { timeoutMs: 60_000 },
    ).catch((error) => {
      const outputs = stack.services.map((service) => `--- ${service.name} ---\n${service.output().slice(-3000)}`).join('\n');
      throw new Error(`${(error as Error).message}\nlast answer: ${JSON.stringify(last)}\n${outputs}`);
    });
    expect(done.receipts.map((r) => r.service)).toEqual(['audience-export', 'audience-import', 'id-reconciliation', 'ims']);
    expect(receiptOf(done, 'audience-export')).toMatchObject({ outcome: 'completed', sharedAudienceIds: [audience.id] });
    expect(receiptOf(done, 'ims')).toMatchObject({ outcome: 'completed', counts: {} });

    // XC: the shared audience's next version removes alice's CRM id; Campaign: the imported list loses alice.
    await probe.waitFor(
      'XC removal',
      (m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audience.id && m.json.data.removed.includes(aliceCrm),
    );
    await probe.waitFor(
      'Campaign removal',
      (m) => m.json?.type === EventTypes.campaignImportedListMembersChanged && m.json.data.listId === listId && m.json.data.removed.includes(alice),
    );

    // No row of any table of any schema holds an expanded identifier; bob's stay.
    const expanded = [alice, aliceEcid, aliceOldEcid, pendingEcid, aliceCrm];
    await waitFor('nothing of alice in any schema', async () => (await rowsHolding(db, expanded)).length === 0 || undefined, { timeoutMs: 20_000 }).catch(async (error) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(await rowsHolding(db, expanded))}`);
    });
    expect((await rowsHolding(db, [bob, bobEcid, bobCrm, otherPendingEcid])).map((row) => row.table)).toEqual(
      expect.arrayContaining(['idrec.recipients', 'idrec.visitor_links', 'audience_import.import_members', 'audience_import.pending_ids', 'audience_export.exported_members']),
    );
    // The request keeps hashes only.
    expect(done.identifierHashes).toHaveLength(expanded.length);
  });

  it('refuses a suppressed ECID in later imports, exports and resolution until it is unsuppressed', async () => {
    const carol = newId('carol');
    const dave = newId('dave');
    const [carolEcid, daveEcid] = [newEcid(), newEcid()];
    await campaign.publishMany([observed(carol, carolEcid), observed(dave, daveEcid)]);
    const resolve = () => client.identities.resolve({ dataSourceId: 'visitor', direction: 'to-recipients', ids: [carolEcid, daveEcid] });
    await waitFor('graph in id-reconciliation', async () => (await resolve()).matched.length === 2);
    const finished = async (type: 'suppress' | 'unsuppress') => {
      const accepted = await client.identities.createPrivacyRequest({ regulation: 'ccpa', type, subjects: [{ namespace: 'ecid', value: carolEcid }] });
      expect(accepted).toMatchObject({ type, status: 'pending' });
      return completed(accepted.requestId, `${type} completed`);
    };
    const suppressed = await finished('suppress');
    expect(receiptOf(suppressed, 'audience-import')?.counts).toEqual({ suppressed_ids: suppressed.identifierHashes.length });
    expect((await db.query(`SELECT hash FROM audience_import.suppressed_ids WHERE org_id = $1`, [tenant.orgId])).rows.map((row) => row.hash).sort()).toEqual(
      [...suppressed.identifierHashes].sort(),
    );
    expect(await resolve()).toEqual({ matched: [{ id: daveEcid, recipientId: dave }], unmatched: [carolEcid] });

    const { audienceId, importId } = await importedAudience();
    await waitFor(
      'replica has the links',
      async () => (await db.query(`SELECT 1 FROM audience_import.identity_links WHERE org_id = $1 AND xc_id = ANY($2)`, [tenant.orgId, [carolEcid, daveEcid]])).rowCount === 2,
    );
    const members = async (listId: string) => {
      const all: string[] = [];
      for await (const member of allPages((page) => client.imports.members(listId, page))) all.push(member.recipientId);
      return all.sort();
    };
    await fullSnapshot(audienceId, [carolEcid, daveEcid]);
    const refused = await waitFor('import applied', async () => {
      const view = await client.imports.get(importId);
      return view.state === 'completed' ? view : undefined;
    });
    expect(refused.counts).toMatchObject({ received: 2, matched: 1, unmatched: 0, invalid: 1, pending: 0 });
    expect(await members(refused.listId)).toEqual([dave]);

    // An export of a list with both on the visitor data source sends dave's ECID only.
    const audience = await waitFor('visitor data source known to audience-export', () => client.exports.create({ segmentName: `Visitors ${newId('s')}`, dataSourceId: 'visitor' }));
    const visitors = await campaignList('Visitors', [carol, dave]);
    await waitFor('list stored', async () => (await client.exports.campaignList(visitors)).memberCount === 2);
    await waitFor(
      'export replica has the links',
      async () => (await db.query(`SELECT 1 FROM audience_export.identity_links WHERE org_id = $1 AND xc_id = ANY($2)`, [tenant.orgId, [carolEcid, daveEcid]])).rowCount === 2,
    );
    await exported(audience.id, visitors);
    const [sent] = await probe.waitFor('XC members', (m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audience.id);
    expect(sent.json.data.added).toEqual([daveEcid]);

    await finished('unsuppress');
    expect((await db.query(`SELECT 1 FROM audience_import.suppressed_ids WHERE org_id = $1`, [tenant.orgId])).rowCount).toBe(0);
    expect((await resolve()).matched).toHaveLength(2);
    await fullSnapshot(audienceId, [carolEcid, daveEcid]);
    await waitFor('carol imported once unsuppressed', async () => (await members(refused.listId)).length === 2);
    expect(await members(refused.listId)).toEqual([carol, dave].sort());
  });
});

/** Every row, in any table of the four schemas, whose text (every column) holds one of the values. */
async function rowsHolding(db: Client, values: string[]): Promise<Array<{ table: string }>> {
  const { rows: tables } = await db.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE'`, [SCHEMAS]);
  const held: Array<{ table: string }> = [];
  for (const { table_schema, table_name } of tables) {
    const { rowCount } = await db.query(`SELECT 1 FROM "${table_schema}"."${table_name}" t WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) v WHERE strpos(t::text, v) > 0)`, [
      values,
    ]);
    for (let i = 0; i < (rowCount ?? 0); i++) held.push({ table: `${table_schema}.${table_name}` });
  }
  return held;
}
