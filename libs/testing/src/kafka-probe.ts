import { randomUUID } from 'node:crypto';
import type { Consumer, IHeaders, Kafka, Producer } from 'kafkajs';
import { createKafka, createIdempotentProducer, logicalTopic, physicalTopic, retryRetriable, typeOfHeader } from '@audience-hub/messaging';
import type { AnyHubEvent } from '@audience-hub/contracts';
import { waitFor } from './wait-for';

export interface ProbedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** The value parsed as JSON, when it is JSON. */
  json?: any;
  /** Producer timestamp (ms) and when this probe received it (ms). */
  timestamp: number;
  receivedAt: number;
}

/**
 * Reads topics as an outside consumer would (own group, from the moment it joined), and publishes
 * events as an upstream system would.
 */
export class KafkaProbe {
  readonly kafka: Kafka;
  private consumer?: Consumer;
  private producer?: Producer;
  readonly received: ProbedMessage[] = [];

  constructor(brokers: string[]) {
    this.kafka = createKafka({ brokers, clientId: `test-probe-${randomUUID().slice(0, 8)}` });
  }

  /**
   * Subscribes from the topics' current ends: everything published after this resolves is seen,
   * nothing published before is. With `types`, messages whose `ce_type` header names another type
   * pass by unparsed and unkept, as they do for a service that does not consume them.
   */
  async listen(topics: string[], options: { types?: readonly string[] } = {}): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const starts = new Map<string, bigint>();
    try {
      for (const topic of topics) {
        for (const { partition, high } of await retryRetriable(() => admin.fetchTopicOffsets(physicalTopic(topic))))
          starts.set(`${physicalTopic(topic)}/${partition}`, BigInt(high));
      }
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.consumer({ groupId: `test-probe-${randomUUID()}`, maxBytesPerPartition: 16 * 1024 * 1024 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map(physicalTopic), fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        if (BigInt(message.offset) < (starts.get(`${topic}/${partition}`) ?? 0n)) return;
        const named = typeOfHeader(message.headers);
        if (options.types && named && !options.types.includes(named)) return;
        const value = message.value?.toString('utf8') ?? null;
        let json: unknown;
        try {
          json = value ? JSON.parse(value) : undefined;
        } catch {
          json = undefined;
        }
        this.received.push({
          topic: logicalTopic(topic),
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value,
          headers: headersOf(message.headers),
          json,
          timestamp: Number(message.timestamp),
          receivedAt: Date.now(),
        });
      },
    });
    await joined;
    for (const [position, offset] of starts) {
      const [topic, partition] = position.split('/');
      consumer.seek({ topic, partition: Number(partition), offset: offset.toString() });
    }
  }

  /** Publishes events, or raw messages (a `null` value is a tombstone, for compacted topics). */
  async publish(topic: string, events: AnyHubEvent[] | { key: string; value: string | null; headers?: IHeaders }[]): Promise<void> {
    if (!this.producer) {
      this.producer = createIdempotentProducer(this.kafka);
      await this.producer.connect();
    }
    const messages = events.map((event) =>
      'value' in event && (typeof event.value === 'string' || event.value === null) ? event : { key: (event as AnyHubEvent).partitionkey, value: JSON.stringify(event) },
    ) as { key: string; value: string | null; headers?: IHeaders }[];
    await this.producer.send({ topic: physicalTopic(topic), acks: -1, messages });
  }

  /** Waits until `predicate` holds for the messages received so far; returns the matching ones. */
  async waitFor(description: string, predicate: (message: ProbedMessage) => boolean, count = 1, timeoutMs = 30_000): Promise<ProbedMessage[]> {
    return waitFor(
      description,
      () => {
        const matching = this.received.filter(predicate);
        return matching.length >= count ? matching : undefined;
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  /**
   * Reads `topic` from offset 0 up to its current end and publishes every message again, as it
   * was (key, value, headers): what a replay from offset 0 into a running system looks like.
   */
  async replayFromStart(topic: string, options: { latestPerKey?: boolean } = {}): Promise<number> {
    const physical = physicalTopic(topic);
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = new Map((await retryRetriable(() => admin.fetchTopicOffsets(physical))).map(({ partition, high }) => [partition, BigInt(high)]));
    await admin.disconnect();
    const pending = [...ends].filter(([, high]) => high > 0n).length;
    const copies: Array<{ key: Buffer | null; value: Buffer | null; headers?: IHeaders }> = [];
    if (pending > 0) {
      const reader = this.kafka.consumer({ groupId: `test-replay-${randomUUID()}`, maxBytesPerPartition: 16 * 1024 * 1024 });
      await reader.connect();
      await reader.subscribe({ topics: [physical], fromBeginning: true });
      const done = new Set<number>();
      await new Promise<void>((resolve, reject) => {
        reader
          .run({
            eachMessage: async ({ partition, message }) => {
              const end = ends.get(partition)!;
              if (BigInt(message.offset) < end) copies.push({ key: message.key, value: message.value, headers: message.headers });
              if (BigInt(message.offset) + 1n >= end) done.add(partition);
              if (done.size === pending) resolve();
            },
          })
          .catch(reject);
      });
      await reader.disconnect();
    }
    if (options.latestPerKey) {
      // What a compacted topic holds once compacted: the latest record of each key.
      const latest = new Map<string, (typeof copies)[number]>();
      for (const copy of copies) {
        const key = copy.key?.toString('utf8') ?? '';
        latest.delete(key);
        latest.set(key, copy);
      }
      copies.splice(0, copies.length, ...latest.values());
    }
    if (copies.length > 0) {
      if (!this.producer) {
        this.producer = createIdempotentProducer(this.kafka);
        await this.producer.connect();
      }
      for (let i = 0; i < copies.length; i += 500) await this.producer.send({ topic: physical, acks: -1, messages: copies.slice(i, i + 500) });
    }
    return copies.length;
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
  }
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) result[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return result;
}
