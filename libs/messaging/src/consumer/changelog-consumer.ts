import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { isDatabaseUnavailable, jitteredBackoffMs } from '@audience-hub/persistence';
import { describeError } from '../errors';
import { logicalTopic, physicalTopic } from '../topic-names';
import type { DeadLetterPublisher, RejectedMessage } from './dead-letter';
import type { RetryPolicy } from './batch-processor';
import { sleep, STOPPED, untilDatabase, type PartitionControl } from './until-database';
import { heapReadAhead } from './heap-read-ahead';
import { applyPastPosition } from './changelog-positions';

/** A record of a compacted topic, decoded: its key and its value, or null for a tombstone. */
export interface ChangelogRecord<V> {
  key: string;
  value: V | null;
  offset: string;
}

/** What is known of a message that cannot be applied goes on its dead letter and rejection notice. */
export interface Undecodable {
  ok: false;
  reason: string;
  errors: string[];
  orgId?: string;
  eventId?: string;
  eventType?: string;
}

/** Partitions whose batches are applied at once, each in its own transaction. */
const PARTITIONS_APPLIED_AT_ONCE = 2;

export type Decoded<V> = { ok: true; key: string; value: V | null } | Undecodable;

export interface ChangelogConsumerOptions<V> {
  kafka: Kafka;
  dataSource: DataSource;
  /** The compacted topic (contract name). */
  topic: string;
  consumerGroup: string;
  deadLetters: DeadLetterPublisher;
  retry: RetryPolicy;
  /** Reads one message: a key and a value (null: tombstone), or why it cannot be applied. */
  decode(message: KafkaMessage): Decoded<V>;
  /**
   * Applies records of one partition in one transaction: the latest record per key, in offset
   * order. It must be idempotent per key (a redelivered batch is applied again).
   */
  apply(tx: EntityManager, records: ReadonlyArray<ChangelogRecord<V>>): Promise<void>;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
  metrics?: { applied(count: number): void; deadLettered(): void };
}

/**
 * Keeps a replica of a compacted topic: a consumer-group member of its own (so a backlog of other
 * events never delays it, nor it them) that applies each fetched batch set-based, in one
 * transaction, then commits its offsets. A new group reads the topic from the start, which builds
 * the replica from what compaction kept. Effects are idempotent per key, so a batch redelivered
 * after a crash changes nothing; no inbox is needed.
 *
 * A partition's next batch is fetched and decoded while its batch is applied (kafkajs fetches only
 * once every batch handed out returned). The batch's transaction also moves the partition's
 * position in `changelog_positions` (ChangelogPositions1765000000800, in the replica's schema) and
 * applies only records past it: a batch still in flight when a rebalance gave its partition to
 * another member cannot overwrite the newer records that member applies (changelog-positions.ts).
 *
 * Failures: while the database is away the batch waits; a batch whose transaction fails is applied
 * again record by record, and a record that keeps failing is dead-lettered after bounded retries.
 */
export class ChangelogConsumer<V> {
  private consumer?: Consumer;
  private positioned?: Promise<void>;
  /** Per partition, the batch being applied: true once applied and its offset committed. */
  private readonly applying = new Map<number, Promise<boolean>>();
  private stopping = false;

  constructor(private readonly options: ChangelogConsumerOptions<V>) {}

  async start(): Promise<void> {
    if (this.consumer) return;
    const sessionTimeout = this.options.sessionTimeoutMs ?? 30_000;
    // kafkajs's default (10 MiB), less in a small heap: a fetch of small records is decoded whole.
    const maxBytes = Math.min(10 * 1024 * 1024, heapReadAhead().maxFetchBytes);
    const consumer = this.options.kafka.consumer({
      groupId: this.options.consumerGroup,
      sessionTimeout,
      heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
      // kafkajs applies concurrently only the partitions of one fetch, and the broker fills a fetch
      // partition by partition: with a partition's share as large as the fetch, a backlog came one
      // partition at a time, and the service and its database took turns instead of working at once.
      maxBytesPerPartition: Math.min(this.options.maxBytesPerPartition ?? 4 * 1024 * 1024, Math.floor(maxBytes / PARTITIONS_APPLIED_AT_ONCE)),
      maxBytes,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    this.positioned = new Promise<void>((resolve) => {
      const stop = consumer.on(consumer.events.FETCH, () => {
        stop();
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [physicalTopic(this.options.topic)], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      // Offsets are committed once a batch is applied; kafkajs's resolved offsets only move the fetch on.
      autoCommit: false,
      partitionsConsumedConcurrently: PARTITIONS_APPLIED_AT_ONCE,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0) return;
        // A batch applied after eachBatch returned gives up on a stop too (stop waits for it).
        const running = () => isRunning() && !this.stopping;
        const control: Control = { topic: logicalTopic(batch.topic), physicalTopic: batch.topic, partition: batch.partition, heartbeat, isRunning: running, isStale };
        const accepted: Array<ChangelogRecord<V>> = [];
        for (const message of batch.messages) {
          const decoded = this.options.decode(message);
          if (decoded.ok) accepted.push({ key: decoded.key, value: decoded.value, offset: message.offset });
          else await this.deadLetter(control, message, decoded, 0);
        }
        // The partition's previous batch is applied first; if it was not, it sought back to itself
        // and this batch comes again after it.
        const applied = await (this.applying.get(batch.partition) ?? APPLIED);
        if (!applied || this.stopping || isStale()) return;
        control.messages = new Map(batch.messages.map((message) => [message.offset, message]));
        const last = batch.messages[batch.messages.length - 1].offset;
        this.applying.set(batch.partition, this.applyBatch(consumer, accepted, control, batch.messages[0].offset, String(BigInt(last) + 1n)));
        resolveOffset(last);
        await heartbeat();
      },
    });
  }

  /**
   * Applies a batch, then commits the offset after it. Returns false when the batch was not
   * applied (the consumer is stopping, lost the partition, or a dead letter could not be sent):
   * the fetch goes back to the batch's first offset, and the batches fetched after it are dropped.
   */
  private async applyBatch(consumer: Consumer, records: Array<ChangelogRecord<V>>, control: Control, first: string, next: string): Promise<boolean> {
    const topic = control.physicalTopic;
    let applied: boolean;
    try {
      applied = records.length === 0 || (await this.applyAll(records, control));
    } catch (error) {
      this.options.log?.('warn', 'changelog batch not applied; fetching it again', { partition: control.partition, error: describeError(error) });
      applied = false;
    }
    if (!applied) {
      this.applying.delete(control.partition);
      if (!this.stopping) await ignoring(async () => consumer.seek({ topic, partition: control.partition, offset: first }));
      return false;
    }
    // A commit refused (a rebalance took the partition) only means its next owner applies the batch again: past the position, nothing.
    await ignoring(() => consumer.commitOffsets([{ topic, partition: control.partition, offset: next }]));
    return true;
  }

  /** Resolves after the first fetch: the replica is being read. */
  whenPositioned(): Promise<void> {
    return this.positioned ?? Promise.resolve();
  }

  /**
   * Lets the batches being applied finish (and commit their offsets), then leaves the group. A
   * batch waiting for the database gives up instead, and is applied again by the partition's next
   * owner.
   */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    this.stopping = true;
    await Promise.all(this.applying.values());
    await consumer?.disconnect();
    this.applying.clear();
    this.stopping = false;
  }

  /** Latest record per key, in offset order: what compaction would have kept. */
  static latestPerKey<V>(records: ReadonlyArray<ChangelogRecord<V>>): Array<ChangelogRecord<V>> {
    const latest = new Map<string, ChangelogRecord<V>>();
    for (const record of records) {
      latest.delete(record.key);
      latest.set(record.key, record);
    }
    return [...latest.values()];
  }

  /** Returns false when it gave up because the consumer is stopping. */
  private async applyAll(records: Array<ChangelogRecord<V>>, control: Control): Promise<boolean> {
    const first = await this.untilDatabase(control, () => this.attempt(ChangelogConsumer.latestPerKey(records), control));
    if (first === STOPPED) return false;
    if (first.ok) return true;
    if (records.length === 1) return this.retryOrDeadLetter(records[0], control, first.error);
    // Isolate the record that fails: the others are applied one by one, in order.
    for (const record of records) {
      const outcome = await this.untilDatabase(control, () => this.attempt([record], control));
      if (outcome === STOPPED) return false;
      if (!outcome.ok && !(await this.retryOrDeadLetter(record, control, outcome.error))) return false;
    }
    return true;
  }

  private async retryOrDeadLetter(record: ChangelogRecord<V>, control: Control, firstError: unknown): Promise<boolean> {
    const { maxAttempts, backoffMs, maxBackoffMs } = this.options.retry;
    let lastError = firstError;
    for (let attempt = 2; attempt <= maxAttempts; attempt++) {
      this.options.log?.('warn', 'changelog record failed; retrying', { key: record.key, attempt: attempt - 1, error: describeError(lastError) });
      await sleep(jitteredBackoffMs(attempt - 2, { minMs: backoffMs, maxMs: maxBackoffMs }));
      await control.heartbeat();
      const outcome = await this.untilDatabase(control, () => this.attempt([record], control));
      if (outcome === STOPPED) return false;
      if (outcome.ok) return true;
      lastError = outcome.error;
    }
    const reason = `changelog record failed after ${maxAttempts} attempts: ${describeError(lastError)}`;
    this.options.log?.('error', 'changelog record dead-lettered', { key: record.key, reason });
    await this.deadLetter(control, control.messages!.get(record.offset)!, { ok: false, reason, errors: [describeError(lastError)] }, maxAttempts);
    return true;
  }

  private async attempt(records: ReadonlyArray<ChangelogRecord<V>>, control: Control): Promise<{ ok: true } | { ok: false; error: unknown }> {
    const position = { topic: control.physicalTopic, partition: control.partition };
    try {
      const applied = await this.options.dataSource.transaction((tx) => applyPastPosition(tx, position, records, (fresh) => this.options.apply(tx, fresh)));
      this.options.metrics?.applied(applied);
      return { ok: true };
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw error;
      return { ok: false, error };
    }
  }

  private async deadLetter(control: Control, message: KafkaMessage, why: Undecodable, attempts: number): Promise<void> {
    const rejected: RejectedMessage = {
      topic: control.topic,
      partition: control.partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      headers: message.headers,
      orgId: why.orgId,
      eventId: why.eventId,
      eventType: why.eventType,
    };
    await this.options.deadLetters.reject(rejected, { reason: why.reason, errors: why.errors, attempts });
    this.options.metrics?.deadLettered();
  }

  private untilDatabase<T>(control: Control, work: () => Promise<T>): Promise<T | typeof STOPPED> {
    return untilDatabase(control, work, { backoffMs: this.options.retry.backoffMs, holding: 'the changelog batch', log: this.options.log });
  }
}

const APPLIED = Promise.resolve(true);

async function ignoring(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch {
    /* see the caller */
  }
}

interface Control extends PartitionControl {
  /** The contract name (dead letters name it) and the broker's, whose offsets the positions count. */
  topic: string;
  physicalTopic: string;
  partition: number;
  /** The batch's messages by offset, for dead-lettering the original bytes. */
  messages?: Map<string, KafkaMessage>;
}
