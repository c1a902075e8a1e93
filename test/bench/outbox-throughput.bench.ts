import { randomBytes, randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createEvent, EventTypes, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { createServiceDataSource, migrateServiceSchema } from '@audience-hub/persistence';
import { createIdempotentProducer, DeadLetterPublisher, enqueueEvents, EventConsumer, MESSAGING_MIGRATIONS, OutboxRelay, physicalTopic } from '@audience-hub/messaging';
import { newOrgId, waitFor } from '@audience-hub/testing';
import { report, type BenchEnv, type Measurement } from './bench-env';

class BenchEffects1764400000002 implements MigrationInterface {
  name = 'BenchEffects1764400000002';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE bench_effects (list_id text NOT NULL, members int NOT NULL)`);
  }
  async down(): Promise<void> {}
}

const EVENTS = Number(process.env.BENCH_OUTBOX_EVENTS ?? 20_000);
const PER_TRANSACTION = 500;

function payloads(orgId: string): AnyHubEvent[] {
  return Array.from({ length: EVENTS }, (_, i) => {
    const listId = `list-${i % 64}`;
    return createEvent({
      type: EventTypes.campaignListMembersAdded,
      source: '/bench',
      orgId,
      aggregateId: listId,
      data: { listId, recipientIds: Array.from({ length: 20 }, (_, r) => `rcp-${i}-${r}`) },
    });
  });
}

/** Events per second through outbox -> relay -> Kafka -> inbox consumer, beside raw kafkajs produce/consume. */
export async function outboxThroughput(env: BenchEnv): Promise<Record<string, unknown>> {
  const subject = await throughOutbox(env);
  const baseline = await rawKafkajs(env.kafka);
  return report('messaging: outbox -> Kafka -> inbox consumer (events/s)', subject, baseline, {
    'events per outbox transaction': PER_TRANSACTION,
    payload: '20 recipient ids per event',
  });
}

async function throughOutbox(env: BenchEnv): Promise<Measurement> {
  const orgId = newOrgId();
  const events = payloads(orgId);
  const dataSource = createServiceDataSource({
    url: env.databaseUrl,
    schema: `bench_${randomBytes(3).toString('hex')}`,
    migrations: [...MESSAGING_MIGRATIONS, BenchEffects1764400000002],
  });
  await dataSource.initialize();
  await migrateServiceSchema(dataSource);
  const producer = createIdempotentProducer(env.kafka);
  await producer.connect();
  const group = `bench-${randomUUID()}`;
  const consumer = new EventConsumer({
    kafka: env.kafka,
    topics: [Topics.campaignLists],
    fromBeginning: false,
    dataSource,
    consumerGroup: group,
    handlerFor: (type) =>
      type === EventTypes.campaignListMembersAdded
        ? async (event, ctx) => {
            if (event.orgid !== orgId) return;
            const data = event.data as { listId: string; recipientIds: string[] };
            await ctx.manager.query(`INSERT INTO bench_effects (list_id, members) VALUES ($1, $2)`, [data.listId, data.recipientIds.length]);
          }
        : undefined,
    deadLetters: new DeadLetterPublisher(producer, group, '/bench'),
    retry: { maxAttempts: 3, backoffMs: 50, maxBackoffMs: 500 },
    maxEventsPerTransaction: 200,
  });
  await consumer.start();
  await consumer.whenPositioned();
  const relay = new OutboxRelay({ dataSource, producer, pollIntervalMs: 100 });
  relay.start();

  const started = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += PER_TRANSACTION) {
    await dataSource.transaction((manager) => enqueueEvents(manager, events.slice(i, i + PER_TRANSACTION)));
  }
  await waitFor('all events applied', async () => (await dataSource.query(`SELECT count(*)::int AS n FROM bench_effects`))[0].n >= EVENTS, { timeoutMs: 600_000, intervalMs: 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await relay.stop();
  await consumer.stop();
  await producer.disconnect();
  await dataSource.destroy();
  return { name: 'outbox -> relay -> Kafka -> inbox consumer', count: EVENTS, unit: 'events', seconds };
}

async function rawKafkajs(kafka: Kafka): Promise<Measurement> {
  const orgId = newOrgId();
  const values = payloads(orgId).map((event) => ({ key: event.partitionkey, value: JSON.stringify(event) }));
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, maxWaitTimeInMs: 1000, maxBytesPerPartition: 16 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [physicalTopic(Topics.campaignLists)], fromBeginning: false });
  let received = 0;
  const positioned = new Promise<void>((resolve) => {
    const off = consumer.on(consumer.events.FETCH, () => {
      off();
      resolve();
    });
  });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        // Same parsing work a consumer does at the least.
        if ((JSON.parse(message.value!.toString('utf8')) as { orgid: string }).orgid === orgId) received++;
      }
    },
  });
  await positioned;
  const started = process.hrtime.bigint();
  for (let i = 0; i < values.length; i += PER_TRANSACTION) {
    await producer.send({ topic: physicalTopic(Topics.campaignLists), acks: -1, messages: values.slice(i, i + PER_TRANSACTION) });
  }
  await waitFor('raw messages consumed', () => received >= EVENTS, { timeoutMs: 600_000, intervalMs: 5 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await consumer.disconnect();
  await producer.disconnect();
  return { name: 'raw kafkajs produce -> consume (same payloads)', count: EVENTS, unit: 'events', seconds };
}
