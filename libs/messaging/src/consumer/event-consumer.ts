import type { Consumer, Kafka } from 'kafkajs';
import { BatchProcessor, type BatchProcessorOptions } from './batch-processor';
import { logicalTopic, physicalTopic } from '../topic-names';

export interface EventConsumerOptions extends BatchProcessorOptions {
  kafka: Kafka;
  topics: string[];
  /** Read a new group's partitions from the start (an upstream system's history counts). */
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
}

/**
 * A consumer-group member that hands each fetched batch to the BatchProcessor.
 * `stop()` stops fetching, lets the batch in hand finish and commit, then leaves the group.
 */
export class EventConsumer {
  private consumer?: Consumer;
  private readonly processor: BatchProcessor;
  private positioned?: Promise<void>;
  private isPositionedNow = false;

  constructor(private readonly options: EventConsumerOptions) {
    this.processor = new BatchProcessor(options);
  }

  async start(): Promise<void> {
    if (this.consumer) return;
    if (this.options.topics.length === 0) {
      this.positioned = Promise.resolve();
      this.isPositionedNow = true;
      return;
    }
    const consumer = this.options.kafka.consumer({
      groupId: this.options.consumerGroup,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 3)),
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 16 * 1024 * 1024,
      maxBytes: 64 * 1024 * 1024,
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    if (!(this.options.fromBeginning ?? true)) await this.pinNewGroupAtEnd();
    this.positioned = new Promise<void>((resolve) => {
      const stopListening = consumer.on(consumer.events.GROUP_JOIN, () => {
        stopListening();
        const stopFetch = consumer.on(consumer.events.FETCH, () => {
          stopFetch();
          this.isPositionedNow = true;
          resolve();
        });
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics.map(physicalTopic), fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommitInterval: 1_000,
      // Commit after every applied group: an idle partition never sits on applied-but-uncommitted events.
      autoCommitThreshold: 1,
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        await this.processor.process(batch.messages, {
          topic: logicalTopic(batch.topic),
          partition: batch.partition,
          resolveOffset,
          heartbeat,
          commitOffsetsIfNecessary: () => commitOffsetsIfNecessary(),
          isRunning,
          isStale,
        });
      },
    });
  }

  /**
   * A new group told to start at the end commits that end at once, per partition: otherwise a
   * member killed before its first commit on a partition would restart at the end again and skip
   * what arrived meanwhile. Partitions the group already committed are left alone.
   */
  private async pinNewGroupAtEnd(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      for (const topic of this.options.topics.map(physicalTopic)) {
        const [committed] = await admin.fetchOffsets({ groupId: this.options.consumerGroup, topics: [topic] });
        const ends = new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, high]));
        const fresh = committed.partitions.filter((entry) => Number(entry.offset) < 0).map((entry) => ({ partition: entry.partition, offset: ends.get(entry.partition) ?? '0' }));
        if (fresh.length > 0) await admin.setOffsets({ groupId: this.options.consumerGroup, topic, partitions: fresh });
      }
    } catch (error) {
      // Another member is active: the group has positions already, nothing to pin.
      if (!/no running instances/i.test(String((error as Error).message))) throw error;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Resolves once the group is joined and the first fetch fixed the read positions: with
   * `fromBeginning: false`, events published after this are consumed.
   */
  whenPositioned(): Promise<void> {
    return this.positioned ?? Promise.resolve();
  }

  /** Whether `whenPositioned()` has resolved. */
  get isPositioned(): boolean {
    return this.isPositionedNow;
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) return;
    // kafkajs waits for the running eachBatch, commits resolved offsets, then leaves the group.
    await consumer.disconnect();
  }

  /** The kafkajs consumer, for diagnostics (lag, pause). */
  get raw(): Consumer | undefined {
    return this.consumer;
  }
}
