import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvent, EventTypes, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { expectInvisibleToOtherOrg, ImsTestClient, KafkaProbe, launchService, newId, newOrgId, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();
const SCOPES = ['audiences.read', 'audiences.write'];

/**
 * audience-export through its public interfaces (REST with IMS tokens, Kafka), for everything that
 * needs no identity links: the data source catalog from idrec.data-sources.v1, shared audiences,
 * governance denials, the update queue, update requests from Campaign.
 */
describe('audience-export shared audiences', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const sinkDir = mkdtempSync(join(tmpdir(), 'export-sink-'));
  let ims: ImsTestClient;
  let service: RunningService;
  let tenant: Tenant;
  let other: Tenant;

  const api = async (method: string, path: string, body?: unknown, who: Tenant = tenant) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { ...who.auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
  };

  const publishDataSource = async (orgId: string, dataSourceId: string, extra: Record<string, unknown> = {}) => {
    await probe.publish(Topics.idrecDataSources, [
      createEvent({
        type: EventTypes.idrecDataSourceUpserted,
        source: '/audience-hub/id-reconciliation',
        orgId,
        aggregateId: dataSourceId,
        data: { dataSourceId, name: `DS ${dataSourceId}`, idType: 'declared', integrationCode: 'CRM', builtIn: false, exportControls: [], ...extra } as never,
      }),
    ]);
  };

  const publishList = async (orgId: string, listId: string, recipientIds: string[]) => {
    const events: AnyHubEvent[] = [createEvent({ type: EventTypes.campaignListCreated, source: '/campaign', orgId, aggregateId: listId, data: { listId, label: listId } })];
    if (recipientIds.length)
      events.push(createEvent({ type: EventTypes.campaignListMembersAdded, source: '/campaign', orgId, aggregateId: listId, data: { listId, recipientIds } }));
    await probe.publish(Topics.campaignLists, events);
    await waitFor(`list ${listId} stored`, async () => (await api('GET', `/v1/lists/${listId}`)).body?.memberCount === recipientIds.length);
  };

  const waitForDataSource = async (dataSourceId: string) =>
    waitFor(`data source ${dataSourceId} known`, async () => {
      const answer = await api('POST', '/v1/shared-audiences', { segmentName: newId('probe'), dataSourceId });
      return answer.status === 201 ? answer.body : undefined;
    });

  const waitForState = (path: string) =>
    waitFor(`update ${path} finished`, async () => {
      const answer = await api('GET', path);
      return ['completed', 'failed', 'denied'].includes(answer.body?.state) ? answer.body : undefined;
    });

  beforeAll(async () => {
    ims = await ImsTestClient.start(env);
    service = await launchService('audience-export', env.serviceEnv('audience-export', { ...ims.trustEnv, EXPORT_FILE_SINK_DIR: sinkDir, EXPORT_RUNNER_POLL_MS: '200' }));
    [tenant, other] = await Promise.all([ims.tenant(SCOPES), ims.tenant(SCOPES, 'Other org')]);
    await probe.listen([Topics.xcCampaignAudiences, Topics.campaignSharedAudienceResults, Topics.hubRejections]);
  });

  afterAll(async () => {
    await service?.stop();
    await ims?.stop();
    await probe.close();
    rmSync(sinkDir, { recursive: true, force: true });
  });

  it('creates, lists and gets shared audiences of a known data source, emitting xc.shared-audience.defined', async () => {
    await publishDataSource(tenant.orgId, 'crm', { xcDataSourceId: '163447' });
    await waitForDataSource('crm');

    const created = await api('POST', '/v1/shared-audiences', { segmentName: 'Loyal customers', dataSourceId: 'crm' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ segmentName: 'Loyal customers', dataSourceId: 'crm', version: 0 });
    expect(created.body.segmentId).toEqual(expect.any(Number));
    const [defined] = await probe.waitFor('defined event', (m) => m.json?.data?.sharedAudienceId === created.body.id);
    expect(defined.json).toMatchObject({
      type: EventTypes.xcSharedAudienceDefined,
      orgid: tenant.orgId,
      data: { segmentName: 'Loyal customers', dataSource: { id: 'crm', name: 'DS crm', idType: 'declared', integrationCode: 'CRM' } },
    });

    expect((await api('GET', `/v1/shared-audiences/${created.body.id}`)).body).toEqual(created.body);
    const page = await api('GET', '/v1/shared-audiences?limit=1');
    expect(page.body.items).toHaveLength(1);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const all = await api('GET', '/v1/shared-audiences?limit=100');
    expect(all.body.items.map((item: { id: string }) => item.id)).toContain(created.body.id);

    const duplicate = await api('POST', '/v1/shared-audiences', { segmentName: 'Loyal customers', dataSourceId: 'crm' });
    expect(duplicate.status).toBe(409);
    const unknown = await api('POST', '/v1/shared-audiences', { segmentName: 'X', dataSourceId: 'nope' });
    expect(unknown.status).toBe(422);
    expect(unknown.type).toMatch(/^application\/problem\+json/);
    const invalid = await api('POST', '/v1/shared-audiences', { segmentName: '' });
    expect(invalid.status).toBe(400);
  });

  it('forgets a deleted data source', async () => {
    await publishDataSource(tenant.orgId, 'short-lived');
    await waitForDataSource('short-lived');
    await probe.publish(Topics.idrecDataSources, [
      createEvent({
        type: EventTypes.idrecDataSourceDeleted,
        source: '/audience-hub/id-reconciliation',
        orgId: tenant.orgId,
        aggregateId: 'short-lived',
        data: { dataSourceId: 'short-lived' },
      }),
    ]);
    await waitFor('data source forgotten', async () => (await api('POST', '/v1/shared-audiences', { segmentName: newId('late'), dataSourceId: 'short-lived' })).status === 422);
  });

  it('denies an export through a data source whose controls forbid it, and writes nothing', async () => {
    await publishDataSource(tenant.orgId, 'no-xc', { exportControls: ['no-export-to-xc'], xcDataSourceId: '999001' });
    await waitForDataSource('no-xc');
    const audience = (await api('POST', '/v1/shared-audiences', { segmentName: 'Denied one', dataSourceId: 'no-xc' })).body;
    const listId = newId('list');
    await publishList(tenant.orgId, listId, ['r-1', 'r-2']);

    const accepted = await api('POST', `/v1/shared-audiences/${audience.id}/updates`, { listId, mode: 'mirror' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ id: expect.stringMatching(/^upd-/), state: 'pending' });
    const update = await waitForState(`/v1/shared-audiences/${audience.id}/updates/${accepted.body.id}`);
    expect(update).toMatchObject({ state: 'denied', version: 0, counts: { exported: 0, added: 0, removed: 0, unmapped: 0 }, files: [] });
    expect(update.reason).toContain('no-export-to-xc');
    expect(update.decisions).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'share-to-experience-cloud', controls: ['no-export-to-xc'], allowed: false })]));
    const [completed] = await probe.waitFor('denied outcome', (m) => m.json?.data?.updateId === accepted.body.id);
    expect(completed.json).toMatchObject({ type: EventTypes.campaignSharedAudienceUpdateCompleted, data: { state: 'denied', version: 0, exported: 0, unmapped: 0 } });
    // Nothing else: no member change, no file.
    expect(probe.received.filter((m) => m.json?.data?.sharedAudienceId === audience.id && m.json?.type === EventTypes.xcSharedAudienceMembersChanged)).toEqual([]);
    expect(readdirSync(sinkDir)).toEqual([]);
    expect((await api('GET', `/v1/shared-audiences/${audience.id}`)).body.version).toBe(0);
  });

  it('completes an update with nothing to resolve without a new version, events or files', async () => {
    const audience = (await api('POST', '/v1/shared-audiences', { segmentName: 'Empty', dataSourceId: 'crm' })).body;
    const listId = newId('list');
    await publishList(tenant.orgId, listId, []);
    const accepted = await api('POST', `/v1/shared-audiences/${audience.id}/updates`, { listId, mode: 'add-only' });
    const update = await waitForState(`/v1/shared-audiences/${audience.id}/updates/${accepted.body.id}`);
    expect(update).toMatchObject({ state: 'completed', version: 0, counts: { exported: 0, added: 0, removed: 0, unmapped: 0 } });
    expect(update.decisions.every((decision: { allowed: boolean }) => decision.allowed)).toBe(true);
    await probe.waitFor('completed outcome', (m) => m.json?.data?.updateId === accepted.body.id);
    expect(probe.received.filter((m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json?.data?.sharedAudienceId === audience.id)).toEqual([]);
  });

  it('rejects updates of unknown lists (REST 422) and fails requested ones with the reason', async () => {
    const audience = (await api('POST', '/v1/shared-audiences', { segmentName: 'No list', dataSourceId: 'crm' })).body;
    expect((await api('POST', `/v1/shared-audiences/${audience.id}/updates`, { listId: 'missing', mode: 'mirror' })).status).toBe(422);
    expect((await api('POST', `/v1/shared-audiences/${audience.id}/updates`, { listId: 'x', mode: 'sideways' })).status).toBe(400);

    const requestId = newId('req');
    await probe.publish(Topics.campaignSharedAudienceRequests, [
      createEvent({
        type: EventTypes.campaignSharedAudienceUpdateRequested,
        source: '/campaign',
        orgId: tenant.orgId,
        aggregateId: requestId,
        data: { requestId, listId: 'missing', segmentName: 'From a workflow', dataSourceId: 'crm', mode: 'add-only' },
      }),
    ]);
    const [outcome] = await probe.waitFor('failed outcome', (m) => m.json?.data?.requestId === requestId);
    expect(outcome.json.data).toMatchObject({ state: 'failed', version: 0 });
    expect(outcome.json.data.reason).toContain('missing');
    // The workflow's segment name made a new shared audience.
    const [defined] = await probe.waitFor(
      'audience defined from the request',
      (m) => m.json?.type === EventTypes.xcSharedAudienceDefined && m.json?.data?.segmentName === 'From a workflow',
    );
    expect(defined.json.data.sharedAudienceId).toBe(outcome.json.data.sharedAudienceId);
  });

  it('rejects update requests naming an unknown data source', async () => {
    const requestId = newId('req');
    const event = createEvent({
      type: EventTypes.campaignSharedAudienceUpdateRequested,
      source: '/campaign',
      orgId: tenant.orgId,
      aggregateId: requestId,
      data: { requestId, listId: 'any', segmentName: 'Nope', dataSourceId: 'unknown-ds', mode: 'mirror' },
    });
    await probe.publish(Topics.campaignSharedAudienceRequests, [event]);
    const [rejected] = await probe.waitFor('rejection', (m) => m.topic === Topics.hubRejections && m.json?.data?.eventId === event.id);
    expect(rejected.json.data.reason).toContain('unknown data source');
  });

  it('rejects update requests of an org IMS never announced, unless idrec published one of its data sources', async () => {
    const stranger = newOrgId();
    const request = () => {
      const requestId = newId('req');
      return createEvent({
        type: EventTypes.campaignSharedAudienceUpdateRequested,
        source: '/campaign',
        orgId: stranger,
        aggregateId: requestId,
        data: { requestId, listId: 'missing', segmentName: 'Stranger', dataSourceId: 'crm', mode: 'mirror' },
      });
    };
    const answerTo = async (event: ReturnType<typeof request>) => {
      await probe.publish(Topics.campaignSharedAudienceRequests, [event]);
      const [answer] = await probe.waitFor('answer', (m) => m.json?.data?.eventId === event.id || m.json?.data?.requestId === event.data.requestId);
      return answer;
    };

    const rejected = await answerTo(request());
    expect(rejected.topic).toBe(Topics.hubRejections);
    expect(rejected.json.data.reason).toBe(`unknown org ${stranger}: not announced by IMS`);

    // The two topics are not ordered with each other: ask again until the data source is in.
    await publishDataSource(stranger, 'crm');
    const outcome = await waitFor('org known from its data source', async () => {
      const answer = await answerTo(request());
      return answer.topic === Topics.hubRejections ? undefined : answer;
    });
    expect(outcome.json).toMatchObject({ type: EventTypes.campaignSharedAudienceUpdateCompleted, data: { state: 'failed' } });
  });

  it('keeps shared audiences and updates invisible to another org', async () => {
    const audience = (await api('POST', '/v1/shared-audiences', { segmentName: 'Private', dataSourceId: 'crm' })).body;
    const listId = newId('list');
    await publishList(tenant.orgId, listId, []);
    const update = (await api('POST', `/v1/shared-audiences/${audience.id}/updates`, { listId, mode: 'mirror' })).body;
    await waitForState(`/v1/shared-audiences/${audience.id}/updates/${update.id}`);
    const base = `${service.url}/v1/shared-audiences/${audience.id}`;
    await expectInvisibleToOtherOrg(
      tenant,
      other,
      [
        { url: base },
        { url: `${base}/updates/${update.id}` },
        { url: `${base}/updates/${update.id}/unmapped` },
        { method: 'POST', url: `${base}/updates`, body: { listId, mode: 'mirror' } },
      ],
      ['Private', listId],
    );
    const theirs = await api('GET', '/v1/shared-audiences', undefined, other);
    expect(theirs.body.items).toEqual([]);
  });
});
