import { EventTypes, Topics } from '@audience-hub/contracts';
import { physicalTopic } from '@audience-hub/messaging';
import { replicaConsumerGroup } from '@audience-hub/platform';
import { ImsTestClient, KafkaProbe, launchService, testEnv, waitFor, type HubServiceName, type RunningService, type Tenant } from '@audience-hub/testing';
import {
  announceOrg,
  call,
  createImport,
  ecids,
  event,
  groupOf,
  importedMembers,
  knownTo,
  observeVisitors,
  ownTopics,
  publishAll,
  seconds,
  snapshotChunks,
  chaosServiceEnv,
} from './chaos-support';

const env = testEnv();
const LABEL = 'replay';
const N = 300;

/** The input topics each service consumes (its README), which the barrier waits on. */
const INPUTS: Record<Exclude<HubServiceName, 'ims'>, string[]> = {
  'id-reconciliation': [Topics.campaignRecipients, Topics.campaignVisitorObservations, Topics.imsEvents],
  'audience-import': [Topics.xcAudiences, Topics.idrecIdentityLinks, Topics.idrecDataSources, Topics.imsEvents],
  'audience-export': [Topics.campaignLists, Topics.campaignSharedAudienceRequests, Topics.idrecIdentityLinks, Topics.idrecDataSources, Topics.imsEvents],
};
const REPLAYED = [...new Set(Object.values(INPUTS).flat())];

/**
 * Every input topic replayed from offset 0 into the running system, after real traffic (recipients,
 * visitor observations, a list, an import, an export): nothing changes (lists, import counts, export
 * versions, identities) and no members-changed event goes out again. The file's own topics hold only
 * its own traffic, so the replay is exactly its history.
 */
describe('every input topic replayed from offset 0', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  let dropTopics: () => Promise<void>;
  let ims: ImsTestClient;
  const services = new Map<Exclude<HubServiceName, 'ims'>, RunningService>();
  let tenant: Tenant;

  beforeAll(async () => {
    dropTopics = await ownTopics(env, LABEL);
    ims = await ImsTestClient.start(env);
    const names = Object.keys(INPUTS) as Array<Exclude<HubServiceName, 'ims'>>;
    const launched = await Promise.all(names.map((name) => launchService(name, chaosServiceEnv(env, ims.trustEnv, LABEL, name))));
    names.forEach((name, i) => services.set(name, launched[i]));
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'identities.read']);
    await probe.listen([Topics.campaignImports, Topics.xcCampaignAudiences, Topics.campaignSharedAudienceResults]);
    await announceOrg(probe, tenant);
    await knownTo(tenant, [
      { url: services.get('id-reconciliation')!.url, path: '/v1/data-sources' },
      { url: services.get('audience-import')!.url, path: '/v1/imports' },
      { url: services.get('audience-export')!.url, path: '/v1/shared-audiences' },
    ]);
  });

  afterAll(async () => {
    await Promise.all([...services.values()].map((service) => service.stop()));
    await ims?.stop();
    await probe.close();
    await dropTopics?.();
  });

  /** Until every service's group has committed past the current end of each topic it consumes. */
  const drained = async (what: string) => {
    const admin = probe.kafka.admin();
    await admin.connect();
    try {
      const ends = new Map<string, Map<number, number>>();
      for (const topic of REPLAYED) ends.set(topic, new Map((await admin.fetchTopicOffsets(physicalTopic(topic))).map((o) => [o.partition, Number(o.high)])));
      await waitFor(
        what,
        async () => {
          for (const [service, topics] of Object.entries(INPUTS)) {
            for (const topic of topics) {
              const group = groupOf(LABEL, service as HubServiceName);
              const groupId = topic === Topics.idrecIdentityLinks ? replicaConsumerGroup(group) : group;
              const [committed] = await admin.fetchOffsets({ groupId, topics: [physicalTopic(topic)] });
              for (const { partition, offset } of committed.partitions) {
                const end = ends.get(topic)!.get(partition) ?? 0;
                if (end > 0 && Number(offset) < end) return undefined;
              }
            }
          }
          return true;
        },
        { timeoutMs: 120_000, intervalMs: 250 },
      );
    } finally {
      await admin.disconnect();
    }
  };

  it('changes nothing and emits no members-changed again', async () => {
    const t0 = Date.now();
    const idrec = services.get('id-reconciliation')!;
    const importer = services.get('audience-import')!;
    const exporter = services.get('audience-export')!;
    const ecid = ecids();
    const recipients = Array.from({ length: N }, (_, n) => `rp-${n}`);

    // Campaign's traffic: recipients with attributes, visitor observations (every tenth recipient has none).
    await publishAll(
      probe,
      Topics.campaignRecipients,
      recipients.map((recipientId, n) =>
        event(EventTypes.campaignRecipientUpserted, tenant.orgId, recipientId, { recipientId, attributes: { email: `r${n}@example.com`, crmId: `CRM-${n}` } }),
      ),
    );
    const linked = recipients.map((recipientId, n) => ({ recipientId, ecid: ecid(n) })).filter((_, n) => n % 10 !== 9);
    await observeVisitors(probe, idrec, tenant, linked);

    // An import of an XC audience: the linked ECIDs and a few unknown ones.
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    const { importId, listId: importedListId } = await createImport(probe, importer, tenant, audienceId);
    await publishAll(probe, Topics.xcAudiences, snapshotChunks(tenant.orgId, audienceId, 'replay-1', [...linked.map((p) => p.ecid), ecid(N + 1), ecid(N + 2)]));
    await probe.waitFor('import completed', (m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === importId, 1, 60_000);

    // A Campaign list, exported to XC by an update request event.
    const listId = `list-${Date.now()}`;
    await publishAll(probe, Topics.campaignLists, [
      event(EventTypes.campaignListCreated, tenant.orgId, listId, { listId, label: 'Replay' }),
      event(EventTypes.campaignListMembersAdded, tenant.orgId, listId, { listId, recipientIds: recipients.slice(0, N / 2) }),
      event(EventTypes.campaignListMembersAdded, tenant.orgId, listId, { listId, recipientIds: recipients.slice(N / 2) }),
    ]);
    await waitFor('list stored', async () => (await call(exporter.url, tenant, 'GET', `/v1/lists/${listId}`)).body?.memberCount === N);
    const requestId = `req-${Date.now()}`;
    await probe.publish(Topics.campaignSharedAudienceRequests, [
      event(EventTypes.campaignSharedAudienceUpdateRequested, tenant.orgId, listId, {
        requestId,
        listId,
        segmentName: `Replay ${requestId}`,
        dataSourceId: 'visitor',
        mode: 'mirror',
      }),
    ]);
    const [result] = await probe.waitFor(
      'update completed',
      (m) => m.json?.type === EventTypes.campaignSharedAudienceUpdateCompleted && m.json.data.requestId === requestId,
      1,
      60_000,
    );
    expect(result.json.data).toMatchObject({ state: 'completed', version: 1, added: linked.length, unmapped: N - linked.length });
    const sharedAudienceId: string = result.json.data.sharedAudienceId;
    await drained('the traffic applied');

    // What the system holds now, through its APIs.
    const snapshot = async () => ({
      importView: (await call(importer.url, tenant, 'GET', `/v1/imports/${importId}`)).body,
      imported: await importedMembers(importer, tenant, importedListId),
      list: (await call(exporter.url, tenant, 'GET', `/v1/lists/${listId}`)).body,
      audience: (await call(exporter.url, tenant, 'GET', `/v1/shared-audiences/${sharedAudienceId}`)).body,
      audiences: (await call(exporter.url, tenant, 'GET', '/v1/shared-audiences?limit=100')).body.items.length,
      update: (await call(exporter.url, tenant, 'GET', `/v1/shared-audiences/${sharedAudienceId}/updates/${result.json.data.updateId}`)).body,
      stats: (await call(idrec.url, tenant, 'GET', '/v1/data-sources/visitor/stats')).body,
      identities: await Promise.all(
        recipients.filter((_, n) => n % 30 === 0 || n % 10 === 9).map(async (id) => (await call(idrec.url, tenant, 'GET', `/v1/recipients/${id}/identities`)).body),
      ),
    });
    const before = await snapshot();
    expect(before.imported.length).toBe(linked.length);
    expect(before.audience.version).toBe(1);
    const changed = () =>
      probe.received.filter(
        (m) =>
          (m.json?.type === EventTypes.campaignImportedListMembersChanged && m.json.data.importId === importId) ||
          (m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === sharedAudienceId) ||
          m.json?.type === EventTypes.campaignImportCompleted ||
          m.json?.type === EventTypes.campaignSharedAudienceUpdateCompleted,
      ).length;
    const emitted = changed();
    expect(emitted).toBeGreaterThan(2);

    // The replay: every input topic from offset 0, as it was.
    const replayStart = Date.now();
    const copies: string[] = [];
    // The changelog is compacted: read again from the start, it holds the latest record per key.
    for (const topic of REPLAYED) copies.push(`${topic} ${await probe.replayFromStart(topic, { latestPerKey: topic === Topics.idrecIdentityLinks })}`);
    await drained('the replay applied');

    // Markers behind the replay: a new shared audience (audience-export's outbox) and a one-member
    // import (audience-import's outbox, through id-reconciliation): once they are out, anything the
    // replay had written to an outbox before them is out too.
    const marker = await call(exporter.url, tenant, 'POST', '/v1/shared-audiences', { segmentName: `Marker ${Date.now()}`, dataSourceId: 'visitor' });
    expect(marker.status).toBe(201);
    await probe.waitFor('the marker audience defined', (m) => m.json?.type === EventTypes.xcSharedAudienceDefined && m.json.data.sharedAudienceId === marker.body.id, 1, 30_000);
    const markerAudience = String(100_000 + Math.floor(Math.random() * 900_000));
    const markerImport = await createImport(probe, importer, tenant, markerAudience);
    await publishAll(probe, Topics.xcAudiences, snapshotChunks(tenant.orgId, markerAudience, 'marker', [linked[0].ecid]));
    await probe.waitFor('the marker import completed', (m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === markerImport.importId, 1, 60_000);
    console.log(`[replay] replayed ${copies.join(', ')}; applied and marked in ${seconds(replayStart)}`);

    const after = await snapshot();
    expect({ ...after, audiences: after.audiences - 1 }).toEqual(before);
    expect(changed() - 1).toBe(emitted); // only the marker import's completion
    console.log(`[replay] done in ${seconds(t0)}`);
  });
});
