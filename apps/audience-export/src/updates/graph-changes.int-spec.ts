import { Client } from 'pg';
import type { Producer } from 'kafkajs';
import { createEvent, EventTypes, identityLinkAggregateId, partitionKeyOf, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { createIdempotentProducer, physicalTopic } from '@audience-hub/messaging';
import { ImsTestClient, KafkaProbe, launchService, newId, restCall, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/**
 * Resolution against the replica of the identity graph: id-reconciliation's changelog
 * (idrec.identity-links.v1, links and tombstones) published as it publishes it, audience-export as
 * its own process. A `mirror` update exports the list mapped through the graph as it is then: an
 * ECID that moved to a recipient outside the list, or was unlinked, leaves XC at the next update;
 * one that moved to another member stays; a recipient resolves to its 5 most recent ECIDs.
 */
describe('audience-export resolves through the identity replica', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  let producer: Producer;
  let ims: ImsTestClient;
  let exporter: RunningService;
  let tenant: Tenant;

  const call = (method: string, path: string, body?: unknown) => restCall(exporter.url, tenant, method, path, body);
  const campaign = (type: AnyHubEvent['type'], aggregateId: string, data: unknown) =>
    createEvent({ type, source: '/campaign', orgId: tenant.orgId, aggregateId, data } as never) as AnyHubEvent;
  /** Changelog records as id-reconciliation publishes them: the link, or a tombstone (`recipientId: null`). */
  const publishLinks = async (links: Array<{ ecid: string; recipientId: string | null; observedAt?: string }>) => {
    const key = (ecid: string) => partitionKeyOf(tenant.orgId, identityLinkAggregateId('visitor', ecid));
    const messages = links.map(({ ecid, recipientId, observedAt }) => {
      if (recipientId === null) return { key: key(ecid), value: null };
      const event = createEvent({
        type: EventTypes.idrecIdentityLinked,
        source: '/audience-hub/id-reconciliation',
        orgId: tenant.orgId,
        aggregateId: identityLinkAggregateId('visitor', ecid),
        data: { dataSourceId: 'visitor', idType: 'visitor', xcId: ecid, recipientId, observedAt: observedAt ?? new Date().toISOString() },
      });
      return { key: event.partitionkey, value: JSON.stringify(event) };
    });
    await producer.send({ topic: physicalTopic(Topics.idrecIdentityLinks), acks: -1, messages });
    // Applied once the replica holds each id as published.
    await waitFor(`${links.length} links in the replica`, async () => {
      const { rows } = await db.query(`SELECT xc_id, recipient_id FROM audience_export.identity_links WHERE org_id = $1 AND data_source_id = 'visitor'`, [tenant.orgId]);
      const held = new Map(rows.map((row) => [row.xc_id as string, row.recipient_id as string]));
      return links.every(({ ecid, recipientId }) => (held.get(ecid) ?? null) === recipientId);
    });
  };
  const update = async (audienceId: string, listId: string) => {
    const accepted = await call('POST', `/v1/shared-audiences/${audienceId}/updates`, { listId, mode: 'mirror' });
    expect(accepted.status).toBe(202);
    return waitFor(`update ${accepted.body.id} ended`, async () => {
      const answer = await call('GET', `/v1/shared-audiences/${audienceId}/updates/${accepted.body.id}`);
      return ['completed', 'failed', 'denied'].includes(answer.body?.state) ? answer.body : undefined;
    });
  };
  const versionOf = async (audienceId: string, version: number) => {
    const [chunk] = await probe.waitFor(
      `version ${version}`,
      (m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audienceId && m.json.data.version === version,
    );
    return chunk.json.data as { part: number; lastPart: boolean; added: string[]; removed: string[] };
  };
  const unmapped = async (audienceId: string, updateId: string) =>
    (await call('GET', `/v1/shared-audiences/${audienceId}/updates/${updateId}/unmapped`)).body.items.map((item: { recipientId: string }) => item.recipientId);

  beforeAll(async () => {
    await db.connect();
    ims = await ImsTestClient.start(env);
    exporter = await launchService('audience-export', env.serviceEnv('audience-export', { ...ims.trustEnv, EXPORT_RUNNER_POLL_MS: '200', LOG_LEVEL: 'info' }));
    tenant = await ims.tenant(['audiences.read', 'audiences.write']);
    producer = createIdempotentProducer(probe.kafka);
    await producer.connect();
    await probe.listen([Topics.xcCampaignAudiences, Topics.campaignSharedAudienceResults]);
    await probe.publish(Topics.idrecDataSources, [
      createEvent({
        type: EventTypes.idrecDataSourceUpserted,
        source: '/audience-hub/id-reconciliation',
        orgId: tenant.orgId,
        aggregateId: 'visitor',
        data: { dataSourceId: 'visitor', name: 'Recipient - Visitor ID', idType: 'visitor', integrationCode: 'AdobeCampaignVisitorID', builtIn: true, exportControls: [] },
      }),
    ]);
  });

  afterAll(async () => {
    await exporter?.stop();
    await ims?.stop();
    await producer?.disconnect();
    await probe.close();
    await db.end();
  });

  it('follows re-links and unlinks between two mirror updates, and keeps each recipient to its 5 most recent ECIDs', async () => {
    const base = 10n ** 37n + BigInt(Date.now()) * 1000n;
    const ecid = (n: number) => `${base + BigInt(n)}`;
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    // r1..r4 one ECID each; r5 (not in the list) one; r6 seven, observed 1..7 minutes ago; r7 none yet.
    const sixth = [60, 61, 62, 63, 64, 65, 66];
    await publishLinks([
      ...[1, 2, 3, 4, 5].map((n) => ({ ecid: ecid(n), recipientId: `r${n}`, observedAt: at(10) })),
      ...sixth.map((n, i) => ({ ecid: ecid(n), recipientId: 'r6', observedAt: at(i + 1) })),
    ]);
    const listId = newId('list');
    await probe.publish(Topics.campaignLists, [
      campaign(EventTypes.campaignListCreated, listId, { listId, label: 'Graph' }),
      campaign(EventTypes.campaignListMembersAdded, listId, { listId, recipientIds: ['r1', 'r2', 'r3', 'r4', 'r6', 'r7'] }),
    ]);
    await waitFor('list stored', async () => (await call('GET', `/v1/lists/${listId}`)).body?.memberCount === 6);
    const audience = await waitFor('visitor data source known', async () => {
      const answer = await call('POST', '/v1/shared-audiences', { segmentName: `Graph ${listId}`, dataSourceId: 'visitor' });
      return answer.status === 201 ? answer.body : undefined;
    });

    const first = await update(audience.id, listId);
    const newestOfR6 = sixth.slice(0, 5).map(ecid);
    expect(first).toMatchObject({ state: 'completed', version: 1, counts: { exported: 9, added: 9, removed: 0, unmapped: 1 } });
    expect(await versionOf(audience.id, 1)).toMatchObject({ part: 0, lastPart: true, added: [...[1, 2, 3, 4].map(ecid), ...newestOfR6].sort(), removed: [] });
    expect(await unmapped(audience.id, first.id)).toEqual(['r7']);

    // Between the updates: e2 moves to r5 (not in the list), e4 is unlinked (r4 has none left), e1
    // moves to r2 and e3 to r1 (both members; r3 has none left), r7 gets e8, and r6's oldest ECID is
    // seen again (now its most recent, so e64 is no longer among its 5 most recent).
    await publishLinks([
      { ecid: ecid(2), recipientId: 'r5' },
      { ecid: ecid(4), recipientId: null },
      { ecid: ecid(1), recipientId: 'r2' },
      { ecid: ecid(3), recipientId: 'r1' },
      { ecid: ecid(8), recipientId: 'r7' },
      { ecid: ecid(66), recipientId: 'r6', observedAt: at(0) },
    ]);
    const second = await update(audience.id, listId);
    expect(second).toMatchObject({ state: 'completed', version: 2, counts: { exported: 8, added: 2, removed: 3, unmapped: 2 } });
    expect(await versionOf(audience.id, 2)).toMatchObject({ added: [ecid(8), ecid(66)].sort(), removed: [ecid(2), ecid(4), ecid(64)].sort() });
    expect(await unmapped(audience.id, second.id)).toEqual(['r3', 'r4']);
    expect(exporter.output()).toContain(`update ${second.id} final step (the whole list)`);

    // The graph unchanged since: the next update reads only the list's changes. r2 leaves, and
    // with it e1, which XC holds for r2 now (not for r1, who had it at version 1).
    await probe.publish(Topics.campaignLists, [campaign(EventTypes.campaignListMembersRemoved, listId, { listId, recipientIds: ['r2'] })]);
    await waitFor('r2 left', async () => (await call('GET', `/v1/lists/${listId}`)).body?.memberCount === 5);
    const third = await update(audience.id, listId);
    expect(third).toMatchObject({ state: 'completed', version: 3, counts: { exported: 7, added: 0, removed: 1, unmapped: 2 } });
    expect(await versionOf(audience.id, 3)).toMatchObject({ added: [], removed: [ecid(1)] });
    expect(exporter.output()).toContain(`update ${third.id} final step (the list's changes)`);

    // Nothing changed: no version, no chunk.
    const fourth = await update(audience.id, listId);
    expect(fourth).toMatchObject({ state: 'completed', version: 3, counts: { exported: 7, added: 0, removed: 0, unmapped: 2 } });
    const outcomes = await probe.waitFor(
      'four outcomes',
      (m) => m.json?.type === EventTypes.campaignSharedAudienceUpdateCompleted && m.json.data.sharedAudienceId === audience.id,
      4,
    );
    expect(outcomes.map((m) => m.json.data.version)).toEqual([1, 2, 3, 3]);
    expect(probe.received.filter((m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audience.id)).toHaveLength(3);
  });
});
