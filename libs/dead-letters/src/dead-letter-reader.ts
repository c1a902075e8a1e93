import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics } from '@audience-hub/contracts';
import { logicalTopic, physicalTopic } from '@audience-hub/messaging';
import { toDeadLetter, type DeadLetter } from './dead-letter';

const READ_TIMEOUT_MS = 30_000;

/**
 * Reads hub.dead-letter.v1 from its start up to its current end and keeps the letters `keep`
 * accepts. A throwaway consumer group that commits nothing (deleted afterwards) reads it, so
 * concurrent readers never share partitions and the service's own group is left alone.
 */
export async function readDeadLetters(kafka: Kafka, keep: (letter: DeadLetter) => boolean): Promise<DeadLetter[]> {
  const topic = physicalTopic(Topics.hubDeadLetter);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const ends = new Map(offsets.filter(({ high, low }) => BigInt(high) > BigInt(low)).map(({ partition, high }) => [partition, BigInt(high)]));
    if (ends.size === 0) return [];
    const groupId = `dead-letter-reader.${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 8 * 1024 * 1024 });
    const kept: DeadLetter[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const done = new Set<number>();
      await new Promise<void>((resolve, reject) => {
        // Gaps at a partition's end (none expected on this topic) must not hold the request forever.
        const timer = setTimeout(() => reject(new Error(`hub.dead-letter.v1 not read to its end within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
        const finish = () => {
          clearTimeout(timer);
          resolve();
        };
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const end = ends.get(partition);
              if (end === undefined || BigInt(message.offset) >= end) return;
              const letter = toDeadLetter({ ...message, partition }, logicalTopic);
              if (keep(letter)) kept.push(letter);
              if (BigInt(message.offset) + 1n >= end) done.add(partition);
              if (done.size === ends.size) finish();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return kept.sort((a, b) => a.detail.deadLetteredAt.localeCompare(b.detail.deadLetteredAt) || a.detail.id.localeCompare(b.detail.id));
  } finally {
    await admin.disconnect();
  }
}
