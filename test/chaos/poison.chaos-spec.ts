import { exampleEcid, exampleEvent, EventTypes, Topics, type AnyHubEvent, type EventType } from '@audience-hub/contracts';
import { physicalTopic } from '@audience-hub/messaging';
import { replicaConsumerGroup } from '@audience-hub/platform';
import { ImsTestClient, KafkaProbe, launchService, testEnv, waitFor, type HubServiceName, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/** Each input topic, an event type its consumers take, and the services consuming it. */
const INPUTS: Array<{ topic: string; type: EventType; consumers: HubServiceName[]; aggregateId?: string; groupOf?: (group: string) => string }> = [
  { topic: Topics.campaignRecipients, type: EventTypes.campaignRecipientUpserted, consumers: ['id-reconciliation'] },
  { topic: Topics.campaignVisitorObservations, type: EventTypes.campaignVisitorObserved, consumers: ['id-reconciliation'] },
  { topic: Topics.campaignLists, type: EventTypes.campaignListMembersAdded, consumers: ['audience-export'] },
  { topic: Topics.campaignSharedAudienceRequests, type: EventTypes.campaignSharedAudienceUpdateRequested, consumers: ['audience-export'] },
  { topic: Topics.xcAudiences, type: EventTypes.xcAudienceMembers, consumers: ['audience-import'] },
  // The identity changelog is keyed by data source and XC id, and read by each replica's own group.
  {
    topic: Topics.idrecIdentityLinks,
    type: EventTypes.idrecIdentityLinked,
    consumers: ['audience-import', 'audience-export'],
    aggregateId: `visitor/${exampleEcid(2)}`,
    groupOf: replicaConsumerGroup,
  },
  { topic: Topics.idrecDataSources, type: EventTypes.idrecDataSourceUpserted, consumers: ['audience-import', 'audience-export'] },
  { topic: Topics.imsEvents, type: EventTypes.imsOrgCreated, consumers: ['id-reconciliation', 'audience-import', 'audience-export'] },
];

/**
 * A poison event on every input topic: dead-lettered with its reason by every service consuming the
 * topic, its producer told on hub.rejections.v1, and the partition keeps flowing (each consumer
 * group commits past the valid event that follows it).
 */
describe('poison events on every input topic', () => {
  let ims: ImsTestClient;
  const services = new Map<HubServiceName, RunningService>();
  const probe = new KafkaProbe(env.kafkaBrokers);
  let tenant: Tenant;

  beforeAll(async () => {
    ims = await ImsTestClient.start(env);
    for (const name of ['id-reconciliation', 'audience-import', 'audience-export'] as const) {
      services.set(name, await launchService(name, env.serviceEnv(name, ims.trustEnv)));
    }
    tenant = await ims.tenant(['audiences.read']);
    await probe.listen([Topics.hubDeadLetter, Topics.hubRejections]);
  });

  afterAll(async () => {
    await probe.close();
    await Promise.all([...services.values()].map((service) => service.stop()));
    await ims?.stop();
  });

  it.each(INPUTS)('$topic', async ({ topic, type, consumers, aggregateId = 'poison-test', groupOf = (group: string) => group }) => {
    const valid = exampleEvent(type, { orgid: tenant.orgId, aggregateId } as never) as AnyHubEvent;
    const poison = { ...exampleEvent(type, { orgid: tenant.orgId, aggregateId } as never), data: { unexpected: true } } as unknown as AnyHubEvent;
    await probe.publish(topic, [poison]);
    await probe.publish(topic, [valid]);

    for (const service of consumers) {
      const group = groupOf(env.serviceEnv(service).KAFKA_CONSUMER_GROUP);
      const [dead] = await probe.waitFor(
        `${service} dead-letters the poison`,
        (m) => m.topic === Topics.hubDeadLetter && m.json?.id === poison.id && m.headers['dlq-consumer-group'] === group,
      );
      expect(dead.headers['dlq-original-topic']).toBe(topic);
      expect(dead.headers['dlq-reason']).toMatch(new RegExp(`^invalid data for ${type}: data\\.`));
      await probe.waitFor(`${service} tells the producer`, (m) => m.topic === Topics.hubRejections && m.json?.data?.eventId === poison.id && m.json.data.consumerGroup === group);
      // The partition flows on: the group commits past the valid event published right after the
      // poison with the same key (so on the same partition, at a later offset).
      const partition = Number(dead.headers['dlq-original-partition']);
      const poisonOffset = Number(dead.headers['dlq-original-offset']);
      const admin = probe.kafka.admin();
      await admin.connect();
      try {
        await waitFor(`${service} commits past the valid event`, async () => {
          const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [physicalTopic(topic)] });
          const committed = Number(offsets.partitions.find((entry) => entry.partition === partition)?.offset ?? -1);
          return committed >= poisonOffset + 2;
        });
      } finally {
        await admin.disconnect();
      }
    }
  });
});
