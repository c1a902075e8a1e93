import fc from 'fast-check';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createEvent, EventTypes, topicOfEventType, type AnyHubEvent } from '@audience-hub/contracts';
import { newOrgId } from '@audience-hub/testing';
import { enqueueEvents, logicalTopic, OutboxRelay, typeOfHeader } from '@audience-hub/messaging';
import { openMessagingSchema } from './messaging-schema';

/**
 * The relay's promise, whatever the mix of rows: every event enqueued reaches Kafka once, and the
 * events of one key on one topic in the order they were enqueued. Transactions of 1 to 150 events
 * (from 64 on, small events of one topic share bundle rows), large events among them, relay rounds
 * between the commits, and round budgets that cut anywhere.
 */
let dataSource: DataSource;

beforeAll(async () => {
  dataSource = await openMessagingSchema('order');
});

afterAll(async () => {
  await dataSource.destroy();
});

type Kind = 'list' | 'recipient' | 'large';
interface Spec {
  key: string;
  kind: Kind;
}

const spec = fc.record({
  key: fc.constantFrom('a', 'b', 'c'),
  kind: fc.oneof(
    { arbitrary: fc.constant<Kind>('list'), weight: 8 },
    { arbitrary: fc.constant<Kind>('recipient'), weight: 3 },
    { arbitrary: fc.constant<Kind>('large'), weight: 1 },
  ),
});

/** The event a spec stands for, labelled: a small one of either topic, or a member chunk of about 80 kB. */
function eventOf(orgId: string, { key, kind }: Spec, label: string): AnyHubEvent {
  if (kind === 'list') return createEvent({ type: EventTypes.campaignListCreated, source: '/test', orgId, aggregateId: key, data: { listId: key, label } });
  if (kind === 'recipient') return createEvent({ type: EventTypes.campaignRecipientDeleted, source: '/test', orgId, aggregateId: key, data: { recipientId: label } });
  const recipientIds = [label, ...Array.from({ length: 5_000 }, (_, i) => `rcp-filler-${i}`)];
  return createEvent({ type: EventTypes.campaignListMembersAdded, source: '/test', orgId, aggregateId: key, data: { listId: key, recipientIds } });
}

function labelOf(value: string): string {
  const data = JSON.parse(value).data as { label?: string; recipientId?: string; recipientIds?: string[] };
  return data.label ?? data.recipientId ?? data.recipientIds![0];
}

interface Sent {
  topic: string;
  key: string;
  type: string | undefined;
  label: string;
}

describe('outbox relay order (property, real Postgres)', () => {
  it('sends every event once, each key of each topic in enqueue order, across bundles, large events and round budgets', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ events: fc.array(spec, { minLength: 1, maxLength: 150, size: 'max' }), roundsAfter: fc.nat(2) }), { minLength: 1, maxLength: 5 }),
        fc.record({
          maxBatchBytes: fc.constantFrom(5_000, 150_000, 12 * 1024 * 1024),
          maxLargeBytes: fc.constantFrom(100_000, 2 * 1024 * 1024),
          maxBatchRows: fc.constantFrom(3, 60, 5_000),
        }),
        async (transactions, budgets) => {
          await dataSource.query(`DELETE FROM outbox_events`);
          const orgId = newOrgId();
          const sent: Sent[] = [];
          const producer = {
            sendBatch: async ({ topicMessages }: { topicMessages: Array<{ topic: string; messages: Array<{ key: string; value: string; headers: Record<string, string> }> }> }) => {
              for (const { topic, messages } of topicMessages) for (const m of messages) sent.push({ topic, key: m.key, type: typeOfHeader(m.headers), label: labelOf(m.value) });
              return [];
            },
          } as unknown as Producer;
          const relay = new OutboxRelay({ dataSource, producer, deleteSent: true, ...budgets });

          const enqueued: AnyHubEvent[] = [];
          for (const { events, roundsAfter } of transactions) {
            const batch = events.map((event) => eventOf(orgId, event, `e${enqueued.length}-${Math.random().toString(36).slice(2)}`));
            batch.forEach((event) => enqueued.push(event));
            await dataSource.transaction((tx) => enqueueEvents(tx, batch));
            for (let round = 0; round < roundsAfter; round++) await relay.publishOnce();
          }
          while ((await relay.publishOnce()) > 0) {
            /* drain */
          }

          // Once each...
          expect(sent.map(({ label }) => label).sort()).toEqual(enqueued.map((event) => labelOf(JSON.stringify(event))).sort());
          // ...with its type, and each topic's key in enqueue order.
          const streamOf = (topic: string, key: string) => `${topic} ${key}`;
          const expected = new Map<string, string[]>();
          for (const event of enqueued) {
            const stream = streamOf(topicOfEventType(event.type), event.partitionkey);
            expected.set(stream, [...(expected.get(stream) ?? []), `${event.type} ${labelOf(JSON.stringify(event))}`]);
          }
          const actual = new Map<string, string[]>();
          for (const { topic, key, type, label } of sent) {
            const stream = streamOf(logicalTopic(topic), key);
            actual.set(stream, [...(actual.get(stream) ?? []), `${type} ${label}`]);
          }
          expect(actual).toEqual(expected);
          expect(await dataSource.query(`SELECT seq FROM outbox_events`)).toEqual([]);
        },
      ),
      { numRuns: Number(process.env.HUB_PROPERTY_RUNS ?? 40), seed: Number(process.env.HUB_PROPERTY_SEED ?? 20261207) },
    );
  });
});
