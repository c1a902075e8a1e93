import { randomBytes } from 'node:crypto';
import { createEvent, EventTypes, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import {
  ImsTestClient,
  KafkaProbe,
  launchService,
  newEcid,
  newId,
  OtlpReceiver,
  SpanKinds,
  testEnv,
  waitFor,
  type HubServiceName,
  type ReceivedSpan,
  type RunningService,
  type Tenant,
} from '@audience-hub/testing';

const env = testEnv();

/** A caller's own trace: its id, and the traceparent naming it. */
function newTrace(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

const isSql = (span: ReceivedSpan) => span.attributes['db.system'] === 'postgresql' || span.attributes['db.system.name'] === 'postgresql';
const isSendTo = (topic: string) => (span: ReceivedSpan) => span.kind === SpanKinds.producer && String(span.attributes['messaging.destination.name']).endsWith(topic);

/**
 * Traces end to end: id-reconciliation, audience-import and audience-export export their spans over
 * OTLP/HTTP to a receiver in the test, and an import or an export is one trace, the caller's.
 */
describe('traces', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  let receiver: OtlpReceiver;
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
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const event = (type: AnyHubEvent['type'], aggregateId: string, data: unknown, traceparent?: string) =>
    createEvent({ type, source: '/e2e', orgId: tenant.orgId, aggregateId, data, traceparent } as never) as AnyHubEvent;

  /** The spans of `service` in the trace, once `complete` says every expected one has arrived. */
  const spansOf = (traceId: string, service: HubServiceName, complete: (spans: ReceivedSpan[]) => boolean) =>
    waitFor(`${service}'s spans of trace ${traceId} exported`, () => {
      const spans = receiver.trace(traceId).filter((span) => span.service === `audience-hub-${service}`);
      return complete(spans) ? spans : undefined;
    });

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    ims = await ImsTestClient.start(env);
    const traced = (service: HubServiceName) => env.serviceEnv(service, { ...ims.trustEnv, ...receiver.exporterEnv() });
    [idrec, importer, exporter] = await Promise.all([
      launchService('id-reconciliation', traced('id-reconciliation')),
      launchService('audience-import', traced('audience-import')),
      // At info, so that its request log lines show (they carry the trace id).
      launchService('audience-export', { ...traced('audience-export'), LOG_LEVEL: 'info' }),
    ]);
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'identities.read', 'identities.write']);
    await probe.publish(Topics.imsEvents, [event(EventTypes.imsOrgCreated, tenant.orgId, { orgId: tenant.orgId, name: 'Org', createdAt: new Date().toISOString() })]);
  });

  afterAll(async () => {
    await Promise.all([importer?.stop(), exporter?.stop(), idrec?.stop()]);
    await ims?.stop();
    await probe.close();
    await receiver?.close();
  });

  it("an import's consume, SQL and produce spans share the trace id of the XC event", async () => {
    const people = Array.from({ length: 3 }, () => ({ ecid: newEcid(), recipientId: newId('rcp') }));
    await probe.publish(
      Topics.campaignVisitorObservations,
      people.map(({ ecid, recipientId }) => event(EventTypes.campaignVisitorObserved, recipientId, { recipientId, ecid, observedAt: new Date().toISOString(), channel: 'web' })),
    );
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    await probe.publish(Topics.xcAudiences, [
      event(EventTypes.xcAudiencePublished, audienceId, { audienceId, name: `Segment ${audienceId}`, solution: 'audience-manager', labels: ['C2'] }),
    ]);
    await waitFor('audience catalogued', async () => (await call(importer, 'GET', `/v1/xc-audiences/${audienceId}`)).status === 200);
    const created = await call(importer, 'POST', '/v1/imports', { audienceId, listLabel: 'Traced', dataSourceId: 'visitor', mode: 'full' });
    expect(created.status).toBe(202);

    const xc = newTrace();
    const members = { audienceId, snapshotId: newId('snap'), mode: 'full', idType: 'visitor', part: 0, lastPart: true, added: people.map((p) => p.ecid), removed: [] };
    await probe.publish(Topics.xcAudiences, [event(EventTypes.xcAudienceMembers, audienceId, members, xc.traceparent)]);
    await waitFor('snapshot applied', async () => (await call(importer, 'GET', `/v1/imports/${created.body.id}`)).body?.snapshots === 1);

    const spans = await spansOf(
      xc.traceId,
      'audience-import',
      (all) => all.some((s) => s.kind === SpanKinds.consumer) && all.some(isSql) && all.some(isSendTo(Topics.campaignImports)),
    );
    const consume = spans.find((span) => span.name === `process ${EventTypes.xcAudienceMembers}`);
    expect(consume).toMatchObject({ kind: SpanKinds.consumer });
    // The handler's queries are children of its span: the SQL of applying the snapshot.
    expect(spans.filter(isSql).some((span) => span.parentSpanId === consume!.spanId)).toBe(true);
    expect(spans.filter(isSendTo(Topics.campaignImports)).length).toBeGreaterThan(0);
  });

  it("an export's request, runner, SQL and produce spans share the trace id of Campaign's request", async () => {
    const created = await call(idrec, 'POST', '/v1/data-sources', {
      name: 'CRM id',
      idType: 'declared',
      integrationCode: 'CRMID',
      reconciliationKey: { attribute: 'crmId', normalization: ['trim', 'lowercase'] },
    });
    expect(created.status).toBe(201);
    const dataSourceId: string = created.body.id;
    const audience = await waitFor('data source known to audience-export', async () => {
      const answer = await call(exporter, 'POST', '/v1/shared-audiences', { segmentName: 'Traced', dataSourceId });
      return answer.status === 201 ? answer.body : undefined;
    });
    const recipients = ['t-1', 't-2'];
    await probe.publish(
      Topics.campaignRecipients,
      recipients.map((recipientId) => event(EventTypes.campaignRecipientUpserted, recipientId, { recipientId, attributes: { crmId: `crm-${recipientId}` } })),
    );
    await waitFor(
      'recipients reconciled',
      async () => (await call(idrec, 'POST', '/v1/resolve', { dataSourceId, direction: 'to-xc', ids: recipients })).body?.matched?.length === 2,
    );
    const listId = newId('list');
    await probe.publish(Topics.campaignLists, [
      event(EventTypes.campaignListCreated, listId, { listId, label: 'Traced' }),
      event(EventTypes.campaignListMembersAdded, listId, { listId, recipientIds: recipients }),
    ]);
    await waitFor('list stored', async () => (await call(exporter, 'GET', `/v1/lists/${listId}`)).body?.memberCount === 2);

    const campaign = newTrace();
    const accepted = await call(exporter, 'POST', `/v1/shared-audiences/${audience.id}/updates`, { listId, mode: 'add-only' }, { traceparent: campaign.traceparent });
    expect(accepted.status).toBe(202);
    await waitFor('update completed', async () => (await call(exporter, 'GET', `/v1/shared-audiences/${audience.id}/updates/${accepted.body.id}`)).body?.state === 'completed');

    const spans = await spansOf(
      campaign.traceId,
      'audience-export',
      (all) => all.some((s) => s.kind === SpanKinds.server) && all.some((s) => s.name === 'export update start') && all.some(isSendTo(Topics.xcCampaignAudiences)),
    );
    const request = spans.find((span) => span.kind === SpanKinds.server)!;
    expect(request.parentSpanId).toBe(campaign.traceparent.split('-')[2]);
    expect(spans.filter(isSql).length).toBeGreaterThan(0);
    expect(spans.filter(isSendTo(Topics.campaignSharedAudienceResults)).length).toBeGreaterThan(0);

    // The request's log line names the trace and the request's span.
    const logged = await waitFor('request log line with the trace id', () =>
      exporter
        .output()
        .split('\n')
        .filter((line) => line.includes(`"trace_id":"${campaign.traceId}"`))
        .map((line) => JSON.parse(line) as { span_id: string; req?: { url: string } })
        .find((line) => line.req?.url?.endsWith('/updates')),
    );
    expect(logged.span_id).toBe(request.spanId);
  });
});
