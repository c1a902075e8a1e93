import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createEvent, EventTypes, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { newOrgId, testEnv, waitFor } from '@audience-hub/testing';
import { createIdempotentProducer, createKafka, DeadLetterPublisher, EventConsumer, physicalTopic, type EventHandler } from '@audience-hub/messaging';
import { openMessagingSchema } from './messaging-schema';

class FairnessEffects1764400000002 implements MigrationInterface {
  name = 'FairnessEffects1764400000002';
  async up(runner: QueryRunner): Promise<void> {
    // No key on purpose: an effect applied twice shows up as two rows.
    await runner.query(`CREATE TABLE effects (event_id uuid NOT NULL, org_id text NOT NULL, list_id text NOT NULL, label text NOT NULL)`);
  }
  async down(): Promise<void> {}
}

const env = testEnv();
let kafka: Kafka;
let producer: Producer;
let dataSource: DataSource;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'event-consumer-int' });
  producer = createIdempotentProducer(kafka);
  await producer.connect();
  dataSource = await openMessagingSchema('fair', [FairnessEffects1764400000002]);
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

afterAll(async () => {
  await producer.disconnect();
  await dataSource.destroy();
});

const listCreated = (orgId: string, listId: string, label: string): AnyHubEvent =>
  createEvent({ type: EventTypes.campaignListCreated, source: '/test', orgId, aggregateId: listId, data: { listId, label } });

/** A chunk of 10,000 members (about 150 kB), as big as a snapshot's chunk. */
const bigChunk = (orgId: string, listId: string): AnyHubEvent =>
  createEvent({
    type: EventTypes.campaignListMembersAdded,
    source: '/test',
    orgId,
    aggregateId: listId,
    data: { listId, recipientIds: Array.from({ length: 10_000 }, (_, i) => `recipient-${i}`) },
  });

/** A gate released by the test, or at the latest by its clean-up (so the consumer can stop). */
function gate(): { held: Promise<void>; release(): void } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  return { held, release };
}

/** Publishes events to one partition, whatever their keys hash to: keys that share a partition. */
async function publishTo(partition: number, events: AnyHubEvent[]): Promise<void> {
  await producer.send({
    topic: physicalTopic(Topics.campaignLists),
    acks: -1,
    messages: events.map((event) => ({ key: event.partitionkey, value: JSON.stringify(event), partition })),
  });
}

async function startConsumer(handler: EventHandler, group = `test-${randomUUID()}`, maxEventsPerTransaction = 100): Promise<EventConsumer> {
  const consumer = new EventConsumer({
    kafka,
    topics: [Topics.campaignLists],
    fromBeginning: false,
    dataSource,
    consumerGroup: group,
    handlerFor: (type) => (type === EventTypes.campaignListCreated || type === EventTypes.campaignListMembersAdded ? handler : undefined),
    deadLetters: new DeadLetterPublisher(producer, group, '/test/event-consumer'),
    retry: { maxAttempts: 3, backoffMs: 20, maxBackoffMs: 100 },
    maxEventsPerTransaction,
  });
  await consumer.start();
  await consumer.whenPositioned();
  cleanups.push(() => consumer.stop());
  return consumer;
}

/** Applies events of `orgId` as effects rows, and notes the order in which handlers ran. */
function recorder(orgId: string, holds: Map<string, Promise<void>> = new Map()) {
  const order: string[] = [];
  const handler: EventHandler = async (event, ctx) => {
    if (event.orgid !== orgId) return;
    const { listId, label = 'chunk' } = event.data as { listId: string; label?: string };
    await holds.get(label);
    order.push(label);
    await ctx.manager.query(`INSERT INTO effects (event_id, org_id, list_id, label) VALUES ($1, $2, $3, $4)`, [event.id, orgId, listId, label]);
  };
  const effects = async (): Promise<string[]> =>
    (await dataSource.query(`SELECT label FROM effects WHERE org_id = $1 ORDER BY label`, [orgId])).map((row: { label: string }) => row.label);
  return { handler, order, effects };
}

describe('EventConsumer fairness', () => {
  it("applies a small event of another key while a big chunk's long transaction holds its partition, and keeps each key in order", async () => {
    const orgId = newOrgId();
    const chunk = gate();
    const { handler, order, effects } = recorder(orgId, new Map([['chunk', chunk.held]]));
    await startConsumer(handler);
    cleanups.push(async () => chunk.release());

    // One partition: the big audience's chunk (its handler is held: a long transaction), then another
    // audience's one-member delta, then the big audience's next event.
    await publishTo(0, [bigChunk(orgId, 'big'), listCreated(orgId, 'small', 'delta'), listCreated(orgId, 'big', 'snapshot-next')]);

    // The delta is applied (committed) while the chunk is still in its transaction...
    await waitFor('the delta applied', async () => (await effects()).includes('delta'), { timeoutMs: 30_000 });
    expect(await effects()).toEqual(['delta']);
    // ...and the big audience's next event waits for the chunk before it.
    expect(order).toEqual(['delta']);

    chunk.release();
    await waitFor('everything applied', async () => (await effects()).length === 3, { timeoutMs: 30_000 });
    expect(order).toEqual(['delta', 'chunk', 'snapshot-next']);
    expect(await effects()).toEqual(['chunk', 'delta', 'snapshot-next']);
  });

  it('applies another partition while one partition holds a long event', async () => {
    const orgId = newOrgId();
    const long = gate();
    const { handler, effects } = recorder(orgId, new Map([['long', long.held]]));
    await startConsumer(handler);
    cleanups.push(async () => long.release());
    await publishTo(0, [listCreated(orgId, 'big', 'long')]);
    await publishTo(1, [listCreated(orgId, 'small', 'short')]);
    await waitFor('the other partition applied', async () => (await effects()).includes('short'), { timeoutMs: 30_000 });
    expect(await effects()).toEqual(['short']);
    long.release();
    await waitFor('the long event applied', async () => (await effects()).length === 2, { timeoutMs: 30_000 });
  });

  it('keeps the order of every key of a busy partition and applies each event once, across a restart', async () => {
    const orgId = newOrgId();
    const { handler, order, effects } = recorder(orgId);
    const group = `test-${randomUUID()}`;
    const first = await startConsumer(handler, group);
    const keys = ['a', 'b', 'c', 'd'];
    const events = Array.from({ length: 120 }, (_, i) => listCreated(orgId, keys[i % keys.length], `${keys[i % keys.length]}-${String(i).padStart(3, '0')}`));
    await publishTo(2, events.slice(0, 60));
    await waitFor('some applied', async () => (await effects()).length > 0, { timeoutMs: 30_000 });
    // A new member of the same group takes over mid-stream, applying smaller transactions.
    await first.stop();
    await startConsumer(handler, group, 7);
    await publishTo(2, events.slice(60));
    await waitFor('every event applied', async () => (await effects()).length >= events.length, { timeoutMs: 60_000 });

    expect(await effects()).toEqual(events.map((event) => (event.data as { label: string }).label).sort());
    for (const key of keys) {
      const applied = order.filter((label) => label.startsWith(`${key}-`));
      // Handlers of an event rolled back by a stop may run twice; the applied order per key never goes back.
      expect(applied.filter((label, i) => i > 0 && label < applied[i - 1])).toEqual([]);
    }
  });
});
