import { Client } from 'pg';
import { createEvent, EventTypes, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { KafkaProbe, launchStack, newEcid, newId, testEnv, waitFor, type ImsTestClient, type RunningService, type Stack, type Tenant } from '@audience-hub/testing';

const env = testEnv();
const SCHEMAS = ['ims', 'idrec', 'audience_import', 'audience_export'];

/**
 * A privacy delete end to end, the four services as separate processes: a person in an imported
 * list, in a shared audience exported to XC, with pending ids and identity history, is erased from
 * every table of every schema, XC receives the removals, and each service's receipt completes the request.
 */
describe('privacy requests end to end', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  let stack: Stack;
  let ims: ImsTestClient;
  let idrec: RunningService;
  let importer: RunningService;
  let exporter: RunningService;
  let tenant: Tenant;

  const call = async (service: RunningService, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { ...tenant.auth, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
  };
  const event = (type: AnyHubEvent['type'], aggregateId: string, data: unknown) =>
    createEvent({ type, source: '/e2e', orgId: tenant.orgId, aggregateId, data } as never) as AnyHubEvent;

  beforeAll(async () => {
    await db.connect();
    stack = await launchStack(env, { services: ['id-reconciliation', 'audience-import', 'audience-export'] });
    ({ ims, idrec, importer, exporter } = stack);
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'identities.read', 'identities.write', 'privacy.read', 'privacy.write']);
    await probe.listen([Topics.xcCampaignAudiences, Topics.campaignImports, Topics.hubPrivacy]);
    await probe.publish(Topics.imsEvents, [event(EventTypes.imsOrgCreated, tenant.orgId, { orgId: tenant.orgId, name: 'Org', createdAt: new Date().toISOString() })]);
  });

  afterAll(async () => {
    await stack?.stop();
    await probe.close();
    await db.end();
  });

  it('refuses an unknown namespace, a malformed ECID and 1,001 subjects as problem+json, and needs privacy.write', async () => {
    const unknown = await call(idrec, 'POST', '/v1/privacy/requests', { regulation: 'gdpr', type: 'delete', subjects: [{ namespace: 'fax', value: '1' }] });
    expect(unknown).toMatchObject({ status: 400, type: expect.stringContaining('application/problem+json') });
    expect(unknown.body.errors).toEqual([expect.stringContaining('subjects.0.namespace: unknown namespace "fax"')]);
    const ecid = await call(idrec, 'POST', '/v1/privacy/requests', { regulation: 'gdpr', type: 'delete', subjects: [{ namespace: 'ecid', value: '12ab' }] });
    expect(ecid.status).toBe(400);
    expect(ecid.body.errors).toEqual(['subjects.0.value: an ECID is 38 decimal digits']);
    const subjects = Array.from({ length: 1001 }, (_, i) => ({ namespace: 'recipientId', value: `r-${i}` }));
    const tooMany = await call(idrec, 'POST', '/v1/privacy/requests', { regulation: 'gdpr', type: 'delete', subjects });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual(['subjects: at most 1000 subjects per request']);
    const reader = await ims.tenant(['identities.read']);
    const denied = await fetch(`${idrec.url}/v1/privacy/requests`, {
      method: 'POST',
      headers: { ...reader.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ regulation: 'gdpr', type: 'delete', subjects: subjects.slice(0, 1) }),
    });
    expect(denied.status).toBe(403);
  });

  it("deletes a person from every schema, removes them at XC and in Campaign's imported list, and completes with every receipt", async () => {
    // id-reconciliation: a CRM data source; alice (the subject) and bob, with ECIDs; one of alice's is history only.
    const crm = await call(idrec, 'POST', '/v1/data-sources', {
      name: 'CRM id',
      idType: 'declared',
      integrationCode: 'CRMID',
      reconciliationKey: { attribute: 'crmId', normalization: ['trim', 'lowercase'] },
    });
    expect(crm.status).toBe(201);
    const dataSourceId: string = crm.body.id;
    const alice = newId('alice');
    const bob = newId('bob');
    const [aliceEcid, aliceOldEcid, bobEcid, pendingEcid, otherPendingEcid] = Array.from({ length: 5 }, () => newEcid());
    const aliceCrm = newId('crm-a').toLowerCase();
    const bobCrm = newId('crm-b').toLowerCase();
    await probe.publish(Topics.campaignRecipients, [
      event(EventTypes.campaignRecipientUpserted, alice, { recipientId: alice, attributes: { crmId: aliceCrm } }),
      event(EventTypes.campaignRecipientUpserted, bob, { recipientId: bob, attributes: { crmId: bobCrm } }),
    ]);
    const seen = (recipientId: string, ecid: string, at: string) => event(EventTypes.campaignVisitorObserved, recipientId, { recipientId, ecid, observedAt: at, channel: 'web' });
    await probe.publish(Topics.campaignVisitorObservations, [
      seen(alice, aliceOldEcid, '2026-01-01T00:00:00Z'),
      seen(bob, aliceOldEcid, '2026-02-01T00:00:00Z'), // alice's old ECID is bob's now: only history ties it to alice
      seen(alice, aliceEcid, '2026-03-01T00:00:00Z'),
      seen(bob, bobEcid, '2026-03-01T00:00:00Z'),
    ]);
    await waitFor(
      'graph in id-reconciliation',
      async () =>
        (await call(idrec, 'POST', '/v1/resolve', { dataSourceId: 'visitor', direction: 'to-recipients', ids: [aliceEcid, bobEcid, aliceOldEcid] })).body?.matched?.length === 3,
    );

    // audience-import: an XC audience with both, a pending id of alice's (the subject names it) and another pending one.
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    await probe.publish(Topics.xcAudiences, [event(EventTypes.xcAudiencePublished, audienceId, { audienceId, name: 'Visitors', solution: 'audience-manager', labels: [] })]);
    await waitFor('audience catalogued', async () => (await call(importer, 'GET', `/v1/xc-audiences/${audienceId}`)).status === 200);
    const started = await call(importer, 'POST', '/v1/imports', { audienceId, listLabel: 'Visitors', dataSourceId: 'visitor', mode: 'full' });
    expect(started.status).toBe(202);
    await waitFor(
      'replica has the links',
      async () => (await db.query(`SELECT 1 FROM audience_import.identity_links WHERE org_id = $1 AND xc_id = ANY($2)`, [tenant.orgId, [aliceEcid, bobEcid]])).rowCount === 2,
    );
    await probe.publish(Topics.xcAudiences, [
      event(EventTypes.xcAudienceMembers, audienceId, {
        audienceId,
        snapshotId: newId('snap'),
        mode: 'full',
        idType: 'visitor',
        part: 0,
        lastPart: true,
        added: [aliceEcid, bobEcid, pendingEcid, otherPendingEcid],
        removed: [],
      }),
    ]);
    const imported = await waitFor('import applied', async () => {
      const view = (await call(importer, 'GET', `/v1/imports/${started.body.id}`)).body;
      return view?.state === 'completed' && view.counts.matched === 2 ? view : undefined;
    });
    const listId: string = imported.listId;

    // audience-export: a Campaign list with both shared with XC on the CRM id.
    const audience = await waitFor('data source known to audience-export', async () => {
      const answer = await call(exporter, 'POST', '/v1/shared-audiences', { segmentName: `Loyal ${newId('s')}`, dataSourceId });
      return answer.status === 201 ? answer.body : undefined;
    });
    const campaignList = newId('list');
    await probe.publish(Topics.campaignLists, [
      event(EventTypes.campaignListCreated, campaignList, { listId: campaignList, label: 'Loyal' }),
      event(EventTypes.campaignListMembersAdded, campaignList, { listId: campaignList, recipientIds: [alice, bob] }),
    ]);
    await waitFor('list stored', async () => (await call(exporter, 'GET', `/v1/lists/${campaignList}`)).body?.memberCount === 2);
    await waitFor(
      'replica of export has the CRM ids',
      async () => (await db.query(`SELECT 1 FROM audience_export.identity_links WHERE org_id = $1 AND xc_id = ANY($2)`, [tenant.orgId, [aliceCrm, bobCrm]])).rowCount === 2,
    );
    const update = await call(exporter, 'POST', `/v1/shared-audiences/${audience.id}/updates`, { listId: campaignList, mode: 'add-only' });
    expect(update.status).toBe(202);
    await waitFor('exported', async () => (await call(exporter, 'GET', `/v1/shared-audiences/${audience.id}/updates/${update.body.id}`)).body?.state === 'completed');

    // The request: alice by recipient id, and the pending ECID XC sent for her. A dry run first counts, changing nothing.
    const body = {
      regulation: 'gdpr',
      type: 'delete',
      subjects: [
        { namespace: 'recipientId', value: alice },
        { namespace: 'ecid', value: pendingEcid },
      ],
    };
    const dry = await call(idrec, 'POST', '/v1/privacy/requests', { ...body, dryRun: true });
    expect(dry).toMatchObject({ status: 202, body: { dryRun: true } });
    const counted = await waitFor(
      'dry run completed',
      async () => {
        const answer = (await call(idrec, 'GET', `/v1/privacy/requests/${dry.body.requestId}`)).body;
        return answer?.status === 'completed' ? answer : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const countsOf = (service: string) => counted.receipts.find((r: { service: string }) => r.service === service).counts;
    expect(countsOf('id-reconciliation')).toMatchObject({ recipients: 1, declared_ids: 1, visitor_links: 2, visitor_observations: 3 });
    expect(countsOf('audience-import')).toMatchObject({ import_members: 1, pending_ids: 1 });
    expect(countsOf('audience-export')).toMatchObject({ exported_members: 1, campaign_list_members: 1 });
    expect((await db.query(`SELECT 1 FROM idrec.recipients WHERE org_id = $1 AND recipient_id = $2`, [tenant.orgId, alice])).rowCount).toBe(1);

    // Access: a document of everything held for her, per service and table.
    const access = await call(idrec, 'POST', '/v1/privacy/requests', { ...body, type: 'access' });
    expect(access.status).toBe(202);
    const held = await waitFor(
      'access completed',
      async () => {
        const answer = (await call(idrec, 'GET', `/v1/privacy/requests/${access.body.requestId}`)).body;
        return answer?.status === 'completed' ? answer : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(held.document['id-reconciliation'].recipients).toEqual([expect.objectContaining({ recipient_id: alice, attributes: { crmId: aliceCrm } })]);
    expect(held.document['audience-import'].import_members).toEqual([expect.objectContaining({ xc_id: aliceEcid, recipient_id: alice })]);
    expect(held.document['audience-import'].pending_ids).toEqual([expect.objectContaining({ xc_id: pendingEcid })]);
    expect(held.document['audience-export'].exported_members).toEqual([expect.objectContaining({ xc_id: aliceCrm })]);

    const accepted = await call(idrec, 'POST', '/v1/privacy/requests', body, { 'idempotency-key': `k-${alice}` });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'pending', duplicate: false });
    const requestId: string = accepted.body.requestId;
    // Idempotent: the same key, or the same subjects while unfinished, answer the same request.
    expect((await call(idrec, 'POST', '/v1/privacy/requests', body, { 'idempotency-key': `k-${alice}` })).body).toMatchObject({ requestId, duplicate: true });

    let last: unknown;
    const done = await waitFor(
      'request completed',
      async () => {
        const answer = (last = (await call(idrec, 'GET', `/v1/privacy/requests/${requestId}`)).body);
        return answer?.status === 'completed' ? answer : undefined;
      },
      { timeoutMs: 60_000 },
    ).catch((error) => {
      const outputs = [idrec, importer, exporter].map((service) => `--- ${service.name} ---\n${service.output().slice(-3000)}`).join('\n');
      throw new Error(`${(error as Error).message}\nlast answer: ${JSON.stringify(last)}\n${outputs}`);
    });
    expect(done.receipts.map((r: { service: string }) => r.service)).toEqual(['audience-export', 'audience-import', 'id-reconciliation', 'ims']);
    expect(done.receipts.find((r: { service: string }) => r.service === 'audience-export')).toMatchObject({ outcome: 'completed', sharedAudienceIds: [audience.id] });
    expect(done.receipts.find((r: { service: string }) => r.service === 'ims')).toMatchObject({ outcome: 'completed', counts: {} });

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
    const seen = (recipientId: string, ecid: string) =>
      event(EventTypes.campaignVisitorObserved, recipientId, { recipientId, ecid, observedAt: new Date().toISOString(), channel: 'web' });
    await probe.publish(Topics.campaignVisitorObservations, [seen(carol, carolEcid), seen(dave, daveEcid)]);
    const resolve = async () => (await call(idrec, 'POST', '/v1/resolve', { dataSourceId: 'visitor', direction: 'to-recipients', ids: [carolEcid, daveEcid] })).body;
    await waitFor('graph in id-reconciliation', async () => (await resolve())?.matched?.length === 2);
    const finished = async (type: 'suppress' | 'unsuppress') => {
      const accepted = await call(idrec, 'POST', '/v1/privacy/requests', { regulation: 'ccpa', type, subjects: [{ namespace: 'ecid', value: carolEcid }] });
      expect(accepted.status).toBe(202);
      return waitFor(
        `${type} completed`,
        async () => {
          const answer = (await call(idrec, 'GET', `/v1/privacy/requests/${accepted.body.requestId}`)).body;
          return answer?.status === 'completed' ? answer : undefined;
        },
        { timeoutMs: 60_000 },
      );
    };
    const suppressed = await finished('suppress');
    expect(suppressed.receipts.find((r: { service: string }) => r.service === 'audience-import').counts).toEqual({ suppressed_ids: suppressed.identifierHashes.length });
    expect((await db.query(`SELECT hash FROM audience_import.suppressed_ids WHERE org_id = $1`, [tenant.orgId])).rows.map((row) => row.hash).sort()).toEqual(
      [...suppressed.identifierHashes].sort(),
    );
    expect(await resolve()).toEqual({ matched: [{ id: daveEcid, recipientId: dave }], unmatched: [carolEcid] });

    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    await probe.publish(Topics.xcAudiences, [event(EventTypes.xcAudiencePublished, audienceId, { audienceId, name: 'Visitors', solution: 'audience-manager', labels: [] })]);
    await waitFor('audience catalogued', async () => (await call(importer, 'GET', `/v1/xc-audiences/${audienceId}`)).status === 200);
    const started = await call(importer, 'POST', '/v1/imports', { audienceId, listLabel: 'Visitors', dataSourceId: 'visitor', mode: 'full' });
    await waitFor(
      'replica has the links',
      async () => (await db.query(`SELECT 1 FROM audience_import.identity_links WHERE org_id = $1 AND xc_id = ANY($2)`, [tenant.orgId, [carolEcid, daveEcid]])).rowCount === 2,
    );
    const snapshot = () =>
      probe.publish(Topics.xcAudiences, [
        event(EventTypes.xcAudienceMembers, audienceId, {
          audienceId,
          snapshotId: newId('snap'),
          mode: 'full',
          idType: 'visitor',
          part: 0,
          lastPart: true,
          added: [carolEcid, daveEcid],
          removed: [],
        }),
      ]);
    const members = async (listId: string) =>
      (await call(importer, 'GET', `/v1/lists/${listId}/members?limit=100`)).body.items.map((item: { recipientId: string }) => item.recipientId).sort();
    await snapshot();
    const refused = await waitFor('import applied', async () => {
      const view = (await call(importer, 'GET', `/v1/imports/${started.body.id}`)).body;
      return view?.state === 'completed' ? view : undefined;
    });
    expect(refused.counts).toMatchObject({ received: 2, matched: 1, unmatched: 0, invalid: 1, pending: 0 });
    expect(await members(refused.listId)).toEqual([dave]);

    // An export of a list with both on the visitor data source sends dave's ECID only.
    const audience = await waitFor('visitor data source known to audience-export', async () => {
      const answer = await call(exporter, 'POST', '/v1/shared-audiences', { segmentName: `Visitors ${newId('s')}`, dataSourceId: 'visitor' });
      return answer.status === 201 ? answer.body : undefined;
    });
    const campaignList = newId('list');
    await probe.publish(Topics.campaignLists, [
      event(EventTypes.campaignListCreated, campaignList, { listId: campaignList, label: 'Visitors' }),
      event(EventTypes.campaignListMembersAdded, campaignList, { listId: campaignList, recipientIds: [carol, dave] }),
    ]);
    await waitFor('list stored', async () => (await call(exporter, 'GET', `/v1/lists/${campaignList}`)).body?.memberCount === 2);
    await waitFor(
      'export replica has the links',
      async () => (await db.query(`SELECT 1 FROM audience_export.identity_links WHERE org_id = $1 AND xc_id = ANY($2)`, [tenant.orgId, [carolEcid, daveEcid]])).rowCount === 2,
    );
    const update = await call(exporter, 'POST', `/v1/shared-audiences/${audience.id}/updates`, { listId: campaignList, mode: 'add-only' });
    expect(update.status).toBe(202);
    await waitFor('exported', async () => (await call(exporter, 'GET', `/v1/shared-audiences/${audience.id}/updates/${update.body.id}`)).body?.state === 'completed');
    const [sent] = await probe.waitFor('XC members', (m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audience.id);
    expect(sent.json.data.added).toEqual([daveEcid]);

    await finished('unsuppress');
    expect((await db.query(`SELECT 1 FROM audience_import.suppressed_ids WHERE org_id = $1`, [tenant.orgId])).rowCount).toBe(0);
    expect((await resolve()).matched).toHaveLength(2);
    await snapshot();
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
