import { createHash } from 'node:crypto';
import { createEvent, EventTypes, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { expectInvisibleToOtherOrg, ImsTestClient, KafkaProbe, launchService, newEcid, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('id-reconciliation', () => {
  let ims: ImsTestClient;
  let idrec: RunningService;
  let tenant: Tenant;
  const probe = new KafkaProbe(env.kafkaBrokers);
  const [e1, e2, e3] = [newEcid(), newEcid(), newEcid()];
  let crm: { id: string };

  const campaign = <T extends AnyHubEvent['type']>(type: T, aggregateId: string, data: Extract<AnyHubEvent, { type: T }>['data']) =>
    createEvent({ type, source: '/campaign', orgId: tenant.orgId, aggregateId, data } as never) as AnyHubEvent;

  async function api(method: string, path: string, body?: unknown, who: Tenant = tenant) {
    const response = await fetch(`${idrec.url}${path}`, {
      method,
      headers: { ...who.auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
  }

  /** Resolves through POST /v1/resolve, as operators and tools do. */
  async function resolve(dataSourceId: string, direction: 'to-recipients' | 'to-xc', ids: string[]) {
    const answer = await api('POST', '/v1/resolve', { dataSourceId, direction, ids });
    expect(answer.status).toBe(200);
    return answer.body as { matched: Array<{ id: string; recipientId: string }>; unmatched: string[] };
  }

  beforeAll(async () => {
    ims = await ImsTestClient.start(env);
    idrec = await launchService('id-reconciliation', env.serviceEnv('id-reconciliation', ims.trustEnv));
    tenant = await ims.tenant(['identities.read', 'identities.write']);
    await probe.listen([Topics.idrecIdentityLinks, Topics.idrecDataSources, Topics.hubDeadLetter, Topics.hubRejections]);

    const created = await api('POST', '/v1/data-sources', {
      name: 'CRM email',
      idType: 'declared',
      integrationCode: 'CRM_EMAIL',
      reconciliationKey: { attribute: 'email', normalization: ['trim', 'lowercase', 'sha256'] },
      xcDataSourceId: '123456',
    });
    expect(created.status).toBe(201);
    crm = created.body;
    await probe.publish(Topics.campaignRecipients, [
      campaign(EventTypes.campaignRecipientUpserted, 'r1', { recipientId: 'r1', attributes: { email: ' Ann@Example.com ', crmId: 'C-1' } }),
      campaign(EventTypes.campaignRecipientUpserted, 'r2', { recipientId: 'r2', attributes: { email: 'bob@example.com', crmId: 'C-2' } }),
      campaign(EventTypes.campaignRecipientUpserted, 'r3', { recipientId: 'r3', attributes: { crmId: 'C-3' } }),
    ]);
    await probe.publish(Topics.campaignVisitorObservations, [
      campaign(EventTypes.campaignVisitorObserved, 'r1', { recipientId: 'r1', ecid: e1, observedAt: '2026-11-01T10:00:00Z', channel: 'web' }),
      campaign(EventTypes.campaignVisitorObserved, 'r2', { recipientId: 'r2', ecid: e2, observedAt: '2026-11-01T10:00:00Z', channel: 'email' }),
    ]);
    // Observations of different recipients travel on different partitions: r2 first, then the rest.
    await waitFor('r2 owns e2', async () => (await api('GET', '/v1/recipients/r2/identities')).body?.visitorIds?.length === 1);
    await probe.publish(Topics.campaignVisitorObservations, [
      // A newer observation moves e2 to r3; an older one for r1 arriving after changes nothing.
      campaign(EventTypes.campaignVisitorObserved, 'r3', { recipientId: 'r3', ecid: e2, observedAt: '2026-11-02T10:00:00Z', channel: 'mobile' }),
      campaign(EventTypes.campaignVisitorObserved, 'r1', { recipientId: 'r1', ecid: e2, observedAt: '2026-10-01T10:00:00Z', channel: 'web' }),
    ]);
    await waitFor('r3 owns e2', async () => (await api('GET', '/v1/recipients/r3/identities')).body?.visitorIds?.length === 1);
  });

  afterAll(async () => {
    await probe.close();
    await idrec?.stop();
    await ims?.stop();
  });

  it('announces the built-in visitor source and new declared sources on the catalog topic', async () => {
    await probe.waitFor('catalog has both sources', (m) => m.json?.type === EventTypes.idrecDataSourceUpserted && m.json.orgid === tenant.orgId, 1);
    const list = await api('GET', '/v1/data-sources');
    expect(list.body.items.map((ds: { id: string }) => ds.id).sort()).toEqual([crm.id, 'visitor'].sort());
    expect(list.body.items.find((ds: { id: string }) => ds.id === 'visitor')).toMatchObject({ builtIn: true, idType: 'visitor', name: 'Recipient - Visitor ID' });
  });

  it('resolves visitor ids to recipients, the most recent observation winning', async () => {
    expect(await resolve('visitor', 'to-recipients', [e1, e2, e3])).toEqual({
      matched: [
        { id: e1, recipientId: 'r1' },
        { id: e2, recipientId: 'r3' },
      ],
      unmatched: [e3],
    });
    const [moved] = await probe.waitFor('e2 moved', (m) => m.json?.type === EventTypes.idrecIdentityLinked && m.json.data.xcId === e2 && m.json.data.recipientId === 'r3');
    // The changelog record says the ECID's current recipient and the observation that moved it there.
    expect(moved.key).toBe(`${tenant.orgId}:visitor/${e2}`);
    expect(moved.json.data.observedAt).toEqual(expect.any(String));
  });

  it('resolves declared ids normalised like the recipients (raw or already hashed)', async () => {
    expect(await resolve(crm.id, 'to-recipients', [sha('ann@example.com'), ' BOB@example.com', 'nobody@example.com'])).toEqual({
      matched: [
        { id: sha('ann@example.com'), recipientId: 'r1' },
        { id: ' BOB@example.com', recipientId: 'r2' },
      ],
      unmatched: ['nobody@example.com'],
    });
  });

  it('resolves recipients to XC ids, and says which have none', async () => {
    expect(await resolve('visitor', 'to-xc', ['r1', 'r2', 'r3', 'r4'])).toEqual({
      matched: [
        { id: e1, recipientId: 'r1' },
        { id: e2, recipientId: 'r3' },
      ],
      unmatched: ['r2', 'r4'],
    });
    expect(await resolve(crm.id, 'to-xc', ['r1', 'r3'])).toEqual({ matched: [{ id: sha('ann@example.com'), recipientId: 'r1' }], unmatched: ['r3'] });
  });

  it('answers at most 1000 ids per call, and an unknown data source 404, as problem+json', async () => {
    const tooMany = await api('POST', '/v1/resolve', { dataSourceId: 'visitor', direction: 'to-recipients', ids: Array.from({ length: 1001 }, () => e1) });
    expect(tooMany).toMatchObject({
      status: 400,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      body: { type: 'https://audience-hub.dev/problems/validation' },
    });
    expect(tooMany.body.errors[0]).toMatch(/at most 1000 ids/);
    const unknownSource = await api('POST', '/v1/resolve', { dataSourceId: 'no-such-source', direction: 'to-recipients', ids: [e1] });
    expect(unknownSource).toMatchObject({
      status: 404,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      body: { type: 'https://audience-hub.dev/problems/not-found', detail: 'unknown data source no-such-source' },
    });
  });

  it('recomputes key values when the reconciliation key changes', async () => {
    const patched = await api('PATCH', `/v1/data-sources/${crm.id}`, { reconciliationKey: { attribute: 'crmId', normalization: ['trim', 'lowercase'] } });
    expect(patched.status).toBe(200);
    expect(await resolve(crm.id, 'to-recipients', ['c-1', 'C-3 ', sha('ann@example.com')])).toEqual({
      matched: [
        { id: 'c-1', recipientId: 'r1' },
        { id: 'C-3 ', recipientId: 'r3' },
      ],
      unmatched: [sha('ann@example.com')],
    });
    await probe.waitFor('r3 linked by crm id', (m) => m.json?.type === EventTypes.idrecIdentityLinked && m.json.data.dataSourceId === crm.id && m.json.data.xcId === 'c-3');
    const stats = await api('GET', `/v1/data-sources/${crm.id}/stats`);
    expect(stats.body).toMatchObject({ dataSourceId: crm.id, recipientsWithKeyValue: 3, linksAddedLastDay: 3 });
  });

  it('forgets every link of a deleted recipient', async () => {
    await probe.publish(Topics.campaignRecipients, [campaign(EventTypes.campaignRecipientDeleted, 'r1', { recipientId: 'r1' })]);
    // A tombstone on the changelog: the ECID's key with no value.
    await probe.waitFor('e1 unlinked', (m) => m.topic === Topics.idrecIdentityLinks && m.value === null && m.key === `${tenant.orgId}:visitor/${e1}`);
    expect(await resolve('visitor', 'to-recipients', [e1])).toEqual({ matched: [], unmatched: [e1] });
    expect((await api('GET', '/v1/recipients/r1/identities')).status).toBe(404);
  });

  it('rejects bad input to the dead-letter topic with its reason, keeps what was stored, and goes on', async () => {
    const before = await api('GET', '/v1/recipients/r2/identities');
    const colon = campaign(EventTypes.campaignRecipientUpserted, 'r2', { recipientId: 'r2', attributes: { crmId: 'has:colon' } });
    const unknownOrg = createEvent({
      type: EventTypes.campaignRecipientUpserted,
      source: '/campaign',
      orgId: 'ABCDEFABCDEFABCDEFABCDEF@AdobeOrg',
      aggregateId: 'r9',
      data: { recipientId: 'r9', attributes: {} },
    });
    const badEcid = { ...campaign(EventTypes.campaignVisitorObserved, 'r2', { recipientId: 'r2', ecid: e1, observedAt: '2026-11-03T00:00:00Z', channel: 'web' }) };
    (badEcid.data as { ecid: string }).ecid = '12345';

    await probe.publish(Topics.campaignRecipients, [colon, unknownOrg as AnyHubEvent]);
    await probe.publish(Topics.campaignVisitorObservations, [badEcid]);

    const reasonOf = async (event: AnyHubEvent) =>
      (await probe.waitFor(`${event.type} dead-lettered`, (m) => m.topic === Topics.hubDeadLetter && m.json?.id === event.id))[0].headers['dlq-reason'];
    expect(await reasonOf(colon)).toMatch(/crmId of recipient r2 is not a valid declared id .*":"/);
    expect(await reasonOf(unknownOrg as AnyHubEvent)).toMatch(/unknown org ABCDEFABCDEFABCDEFABCDEF@AdobeOrg/);
    expect(await reasonOf(badEcid)).toMatch(/ECID must be exactly 38 decimal digits/);
    const [notice] = await probe.waitFor('rejection for the producer', (m) => m.topic === Topics.hubRejections && m.json?.data?.eventId === colon.id);
    expect(notice.json.orgid).toBe(tenant.orgId);

    expect(await api('GET', '/v1/recipients/r2/identities')).toEqual(before);
    // The partitions keep flowing: an observation after the bad one, on its partition, is applied.
    const e4 = newEcid();
    await probe.publish(Topics.campaignVisitorObservations, [
      campaign(EventTypes.campaignVisitorObserved, 'r2', { recipientId: 'r2', ecid: e4, observedAt: '2026-11-04T00:00:00Z', channel: 'web' }),
    ]);
    await waitFor('the observation after the bad one applied', async () => (await resolve('visitor', 'to-recipients', [e4])).matched.length === 1);
    expect((await resolve('visitor', 'to-recipients', [e4, e2])).matched).toEqual([
      { id: e4, recipientId: 'r2' },
      { id: e2, recipientId: 'r3' },
    ]);
  });

  it("never shows one org's data sources to another", async () => {
    const other = await ims.tenant(['identities.read', 'identities.write']);
    await expectInvisibleToOtherOrg(tenant, other, [
      { url: `${idrec.url}/v1/data-sources/${crm.id}` },
      { url: `${idrec.url}/v1/data-sources/${crm.id}/stats` },
      { method: 'PATCH', url: `${idrec.url}/v1/data-sources/${crm.id}`, body: { name: 'stolen' } },
      { method: 'DELETE', url: `${idrec.url}/v1/data-sources/${crm.id}` },
      { url: `${idrec.url}/v1/recipients/r2/identities` },
      { method: 'POST', url: `${idrec.url}/v1/resolve`, body: { dataSourceId: crm.id, direction: 'to-recipients', ids: ['c-2'] } },
    ]);
    const theirs = await api('GET', '/v1/data-sources', undefined, other);
    expect(theirs.body.items.map((ds: { id: string }) => ds.id)).toEqual(['visitor']);
  });
});
