import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { createEvent, EventTypes, Topics, type Topic } from '@audience-hub/contracts';
import { physicalTopic, typeHeader } from '@audience-hub/messaging';
import type { BenchEnv } from './bench-env';
import { ecid, recipient } from './import.bench';

const PUBLISH_BATCH = 10_000;

/** The identity changelog as id-reconciliation writes it: ecid(i) -> recipient(i), i < count, keyed by data source and ECID. */
export async function publishVisitorLinks(producer: Producer, orgId: string, count: number): Promise<void> {
  const observedAt = new Date().toISOString();
  for (let first = 0; first < count; first += PUBLISH_BATCH) {
    const messages = [];
    for (let i = first; i < Math.min(first + PUBLISH_BATCH, count); i++) {
      const event = createEvent({
        type: EventTypes.idrecIdentityLinked,
        source: '/audience-hub/id-reconciliation',
        orgId,
        aggregateId: `visitor/${ecid(i)}`,
        data: { dataSourceId: 'visitor', idType: 'visitor', xcId: ecid(i), recipientId: recipient(i), observedAt },
      });
      messages.push({ key: event.partitionkey, value: JSON.stringify(event), headers: typeHeader(event.type) });
    }
    await producer.send({ topic: physicalTopic(Topics.idrecIdentityLinks), acks: -1, messages });
  }
}

/** The baseline: seconds a plain consumer group takes to read (and JSON-parse) the first `count` records of a topic. */
export async function rawConsumption(env: BenchEnv, topic: Topic, count: number): Promise<number> {
  const consumer = env.kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [physicalTopic(topic)], fromBeginning: true });
  let seen = 0;
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) if (message.value) JSON.parse(message.value.toString());
          seen += batch.messages.length;
          if (seen >= count) resolve();
        },
      })
      .catch(reject);
  });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  await consumer.disconnect();
  return elapsed;
}
