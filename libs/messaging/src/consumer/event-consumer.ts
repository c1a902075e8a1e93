import type { Consumer, Kafka } from 'kafkajs';
import { BatchProcessor, type BatchProcessorOptions } from './batch-processor';
import { KeyOrderedScheduler } from './key-ordered-scheduler';
import { retryRetriable } from '../admin/retriable';
import { logicalTopic, physicalTopic } from '../topic-names';
import { heapReadAhead } from './heap-read-ahead';

export interface EventConsumerOptions extends BatchProcessorOptions {
  kafka: Kafka;
  topics: string[];
  /** Read a new group's partitions from the start (an upstream system's history counts). */
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  /**
   * Batches of small events applied at the same time, across partitions and keys, and as many of
   * large events in slots of their own (each batch holds a database connection). Default 3.
   */
  concurrentBatches?: number;
  /** Bytes of small events handed to the processor at once (large ones go 1 MiB at a time). Default 8 MiB. */
  maxBytesPerBatch?: number;
}

/**
 * A consumer-group member: fetched events go to a KeyOrderedScheduler, which hands batches to the
 * BatchProcessor several at a time, in order per key, without letting a long batch (a snapshot's
 * last chunk, a big transaction) hold back other keys or partitions; offsets are committed as
 * the events before them are applied.
 * `stop()` stops starting batches, lets those in hand finish and commit, then leaves the group.
 */
export class EventConsumer {
  private consumer?: Consumer;
  private readonly processor: BatchProcessor;
  private scheduler?: KeyOrderedScheduler;
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
    const readAhead = heapReadAhead();
    const consumer = this.options.kafka.consumer({
      groupId: this.options.consumerGroup,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 3)),
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 16 * 1024 * 1024,
      maxBytes: readAhead.maxFetchBytes,
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    const maxBytesPerPartition = this.options.maxBytesPerPartition ?? 16 * 1024 * 1024;
    const scheduler = new KeyOrderedScheduler({
      process: (messages, control) => this.processor.process(messages, control),
      commit: (topic, partition, offset) => consumer.commitOffsets([{ topic, partition, offset }]),
      pause: (topic, partition) => consumer.pause([{ topic, partitions: [partition] }]),
      resume: (topic, partition) => consumer.resume([{ topic, partitions: [partition] }]),
      seek: (topic, partition, offset) => consumer.seek({ topic, partition, offset }),
      logicalTopic,
      concurrency: this.options.concurrentBatches ?? 3,
      // Small events: as many as a batch handler's transaction takes (the BatchProcessor splits further).
      maxBatchBytes: this.options.maxBytesPerBatch ?? 8 * 1024 * 1024,
      maxBatchEvents: 5_000,
      maxQueuedBytesPerPartition: maxBytesPerPartition,
      maxQueuedEventsPerPartition: readAhead.maxQueuedEventsPerPartition,
      failureBackoffMs: this.options.retry.backoffMs,
      log: this.options.log,
    });
    this.scheduler = scheduler;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => scheduler.assigned(payload.memberAssignment));
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
      // The scheduler commits each partition's position once every event before it is applied;
      // kafkajs's resolved offsets only move the fetch position on.
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        if (batch.messages.length === 0) return;
        scheduler.enqueue(batch.topic, batch.partition, batch.messages);
        resolveOffset(batch.messages[batch.messages.length - 1].offset);
        await heartbeat();
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
        // Each step may meet a broker still electing leaders or moving the group's coordinator.
        const [committed] = await retryRetriable(() => admin.fetchOffsets({ groupId: this.options.consumerGroup, topics: [topic] }));
        const ends = new Map((await retryRetriable(() => admin.fetchTopicOffsets(topic))).map(({ partition, high }) => [partition, high]));
        const fresh = committed.partitions.filter((entry) => Number(entry.offset) < 0).map((entry) => ({ partition: entry.partition, offset: ends.get(entry.partition) ?? '0' }));
        if (fresh.length > 0) await retryRetriable(() => admin.setOffsets({ groupId: this.options.consumerGroup, topic, partitions: fresh }));
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
    // Batches in hand finish and commit; what is only queued is redelivered to whoever holds the partition next.
    await this.scheduler?.drain();
    await consumer.disconnect();
  }

  /** The kafkajs consumer, for diagnostics (lag, pause). */
  get raw(): Consumer | undefined {
    return this.consumer;
  }
}
