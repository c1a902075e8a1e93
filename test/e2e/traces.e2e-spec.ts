import { randomBytes, randomUUID } from 'node:crypto';
import { EventTypes, Topics } from '@audience-hub/contracts';
import { HubClient, type HubEventProducer } from '@audience-hub/client';
import {
  announceOrgs,
  KafkaProbe,
  launchStack,
  newEcid,
  newId,
  OtlpReceiver,
  SpanKinds,
  testEnv,
  waitFor,
  type HubServiceName,
  type ReceivedSpan,
  type Stack,
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
  let stack: Stack;
  let tenant: Tenant;
  let client: HubClient;
  let producer: HubEventProducer;

  /** The spans of `service` in the trace, once `complete` says every expected one has arrived. */
  const spansOf = (traceId: string, service: HubServiceName, complete: (spans: ReceivedSpan[]) => boolean) =>
    waitFor(`${service}'s spans of trace ${traceId} exported`, () => {
      const spans = receiver.trace(traceId).filter((span) => span.service === `audience-hub-${service}`);
      return complete(spans) ? spans : undefined;
    });

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    stack = await launchStack(env, {
      services: ['id-reconciliation', 'audience-import', 'audience-export'],
      env: {
        'id-reconciliation': receiver.exporterEnv(),
        'audience-import': receiver.exporterEnv(),
        // At info, so that its request log lines show (they carry the trace id).
        'audience-export': { ...receiver.exporterEnv(), LOG_LEVEL: 'info' },
      },
    });
    tenant = await stack.tenant(['audiences.read', 'audiences.write', 'identities.read', 'identities.write']);
    client = stack.client(tenant);
    producer = stack.producer();
    await announceOrgs(probe, [tenant]);
  });

  afterAll(async () => {
    await stack?.stop();
    await probe.close();
    await receiver?.close();
  });

  it("an import's consume, SQL and produce spans share the trace id of the XC event", async () => {
    const people = Array.from({ length: 3 }, () => ({ ecid: newEcid(), recipientId: newId('rcp') }));
    await producer.publishMany(
      people.map(({ ecid, recipientId }) => ({
        type: EventTypes.campaignVisitorObserved,
        orgId: tenant.orgId,
        aggregateId: recipientId,
        data: { recipientId, ecid, observedAt: new Date().toISOString(), channel: 'web' as const },
      })),
    );
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    await producer.publish({
      type: EventTypes.xcAudiencePublished,
      orgId: tenant.orgId,
      aggregateId: audienceId,
      data: { audienceId, name: `Segment ${audienceId}`, solution: 'audience-manager', labels: ['C2'] },
    });
    await waitFor('audience catalogued', () => client.imports.audience(audienceId));
    const created = await client.imports.create({ audienceId, listLabel: 'Traced', dataSourceId: 'visitor', mode: 'full' });
    expect(created).toMatchObject({ audienceId, state: 'pending' });

    const xc = newTrace();
    const [members] = await producer.audienceMembers({
      orgId: tenant.orgId,
      audienceId,
      snapshotId: newId('snap'),
      mode: 'full',
      idType: 'visitor',
      added: people.map((p) => p.ecid),
      traceparent: xc.traceparent,
    });
    expect(members.traceparent).toBe(xc.traceparent);
    await waitFor('snapshot applied', async () => (await client.imports.get(created.id)).snapshots === 1);

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
    const created = await client.identities.createDataSource({
      name: 'CRM id',
      idType: 'declared',
      integrationCode: 'CRMID',
      reconciliationKey: { attribute: 'crmId', normalization: ['trim', 'lowercase'] },
    });
    expect(created).toMatchObject({ name: 'CRM id', integrationCode: 'CRMID' });
    const dataSourceId = created.id;
    const audience = await waitFor('data source known to audience-export', () => client.exports.create({ segmentName: 'Traced', dataSourceId }));
    const recipients = ['t-1', 't-2'];
    await producer.publishMany(
      recipients.map((recipientId) => ({
        type: EventTypes.campaignRecipientUpserted,
        orgId: tenant.orgId,
        aggregateId: recipientId,
        data: { recipientId, attributes: { crmId: `crm-${recipientId}` } },
      })),
    );
    await waitFor('recipients reconciled', async () => (await client.identities.resolve({ dataSourceId, direction: 'to-xc', ids: recipients })).matched.length === 2);
    const listId = newId('list');
    await producer.publish({ type: EventTypes.campaignListCreated, orgId: tenant.orgId, aggregateId: listId, data: { listId, label: 'Traced' } });
    await producer.listMembers({ orgId: tenant.orgId, listId, changeId: randomUUID(), added: recipients });
    await waitFor('list stored', async () => (await client.exports.campaignList(listId)).memberCount === 2);

    // Campaign's request in its own trace: a client sending its traceparent with every request.
    const campaign = newTrace();
    const traced = new HubClient({ urls: stack.urls, auth: client.tokens, headers: { traceparent: campaign.traceparent } });
    const accepted = await traced.exports.update(audience.id, { listId, mode: 'add-only' });
    expect(accepted.state).toBe('pending');
    await waitFor('update completed', async () => (await client.exports.getUpdate(audience.id, accepted.id)).state === 'completed');

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
      stack.exporter
        .output()
        .split('\n')
        .filter((line) => line.includes(`"trace_id":"${campaign.traceId}"`))
        .map((line) => JSON.parse(line) as { span_id: string; req?: { url: string } })
        .find((line) => line.req?.url?.endsWith('/updates')),
    );
    expect(logged.span_id).toBe(request.spanId);
  });
});
