import type { KafkaMessage } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { eventTypesOf, parseEvent, TRACE_CONTEXT_HEADER, type AnyHubEvent } from '@audience-hub/contracts';
import { isDatabaseUnavailable, jitteredBackoffMs } from '@audience-hub/persistence';
import { inSpan, isTracingEnabled } from '@audience-hub/observability';
import { claimEvents } from '../inbox/inbox';
import { enqueueEvents } from '../outbox/outbox.writer';
import { EventInBatchFailedError, RejectEventError, describeError } from '../errors';
import type { DeadLetterPublisher, RejectedMessage } from './dead-letter';
import { typeOfHeader } from '../event-type-header';
import type { AnyEventHandler, BatchEventHandler, EventContext } from './event-context';
import { sleep, STOPPED, untilDatabase } from './until-database';

export interface RetryPolicy {
  /** Attempts of one event before it is dead-lettered. */
  maxAttempts: number;
  /** First backoff; doubles each attempt up to `maxBackoffMs`, each wait a random point in its upper half. */
  backoffMs: number;
  maxBackoffMs: number;
}

export interface BatchProcessorOptions {
  dataSource: DataSource;
  consumerGroup: string;
  handlerFor: (eventType: string) => AnyEventHandler | undefined;
  deadLetters: DeadLetterPublisher;
  retry: RetryPolicy;
  /** Events applied in one transaction on the fast path. */
  maxEventsPerTransaction: number;
  /**
   * Bytes of events applied in one transaction: big chunks commit (and their results flow on)
   * one or two at a time instead of waiting for a whole batch. Default 1 MiB.
   */
  maxBytesPerTransaction?: number;
  /** Events given to batch handlers in one transaction (default 5,000) and their bytes (default 8 MiB). */
  maxEventsPerBatchTransaction?: number;
  maxBytesPerBatchTransaction?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
  metrics?: {
    applied(count: number): void;
    deadLettered(): void;
    skipped(count: number): void;
    /** Seconds from the append of a committed transaction's oldest event to the commit: once per transaction, not per event. */
    latency?(seconds: number): void;
  };
}

export interface BatchControl {
  topic: string;
  partition: number;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  commitOffsetsIfNecessary(): Promise<void>;
  /** False once the consumer is stopping or lost the partition. */
  isRunning(): boolean;
  isStale(): boolean;
}

type ApplyItem = { kind: 'apply'; message: KafkaMessage; event: AnyHubEvent; handler: AnyEventHandler };
type Item = ApplyItem | { kind: 'skip'; message: KafkaMessage } | { kind: 'reject'; message: KafkaMessage; rejected: RejectedMessage; reason: string; errors: string[] };
/** failedIndex: which event's handler threw, when one did. */
type Outcome = { ok: true } | { ok: false; error: unknown; failedIndex?: number };

/**
 * Applies one fetched batch of one partition, in order, with exactly-once effects:
 * - valid events go through their handler in a transaction that also records them in the inbox,
 *   many events per transaction on the fast path; consecutive events of a batch handler's type
 *   reach it together, in bigger transactions;
 * - if that transaction fails, the culprit is isolated (named by its handler, or found by halving
 *   the group) and dead-lettered after bounded retries while the rest of the partition flows on;
 * - invalid events are dead-lettered at once with the validation errors;
 * - while the database is unreachable nothing is dead-lettered: the batch waits and retries;
 * - an offset is resolved only after the effect of its event committed.
 */
export class BatchProcessor {
  constructor(private readonly options: BatchProcessorOptions) {}

  async process(messages: KafkaMessage[], control: BatchControl): Promise<void> {
    const items = messages.map((message) => this.classify(control, message));
    let index = 0;
    while (index < items.length) {
      if (control.isStale()) return;
      const item = items[index];
      if (item.kind === 'apply') {
        const group: ApplyItem[] = [];
        const batched = isBatchHandler(item.handler);
        const [maxEvents, maxBytes] = batched
          ? [this.options.maxEventsPerBatchTransaction ?? 5_000, this.options.maxBytesPerBatchTransaction ?? 8 * 1024 * 1024]
          : [this.options.maxEventsPerTransaction, this.options.maxBytesPerTransaction ?? 1024 * 1024];
        let bytes = 0;
        while (index < items.length && group.length < maxEvents && (group.length === 0 || bytes < maxBytes)) {
          const next = items[index];
          if (next.kind !== 'apply' || isBatchHandler(next.handler) !== batched) break;
          group.push(next);
          bytes += next.message.value?.length ?? 0;
          index++;
        }
        const done = await this.applyGroup(group, control);
        if (!done) return; // stopping while the database was away: leave the rest for redelivery
      } else {
        if (item.kind === 'reject') {
          await this.options.deadLetters.reject(item.rejected, { reason: item.reason, errors: item.errors, attempts: 0 });
          this.options.metrics?.deadLettered();
        } else {
          this.options.metrics?.skipped(1);
        }
        index++;
        control.resolveOffset(item.message.offset);
      }
      await control.commitOffsetsIfNecessary();
      await control.heartbeat();
    }
  }

  private classify(control: BatchControl, message: KafkaMessage): Item {
    // Types of this topic that this service does not consume pass by untouched, unparsed when
    // the producer named the type in a header (ours do): their consumers judge them.
    const hinted = typeOfHeader(message.headers);
    if (hinted && this.passesBy(control.topic, hinted)) return { kind: 'skip', message };
    const rejected: RejectedMessage = {
      topic: control.topic,
      partition: control.partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      headers: message.headers,
    };
    let raw: unknown;
    try {
      raw = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch {
      return { kind: 'reject', message, rejected, reason: 'value is not JSON', errors: ['value: expected a CloudEvents JSON object'] };
    }
    const envelope = raw as { id?: unknown; type?: unknown; orgid?: unknown } | null;
    if (envelope && typeof envelope === 'object') {
      rejected.eventId = typeof envelope.id === 'string' ? envelope.id : undefined;
      rejected.eventType = typeof envelope.type === 'string' ? envelope.type : undefined;
      rejected.orgId = typeof envelope.orgid === 'string' ? envelope.orgid : undefined;
    }
    const type = rejected.eventType;
    if (type && this.passesBy(control.topic, type)) return { kind: 'skip', message };
    const parsed = parseEvent(control.topic, raw);
    if (!parsed.ok) return { kind: 'reject', message, rejected, reason: parsed.reason, errors: parsed.errors };
    const handler = this.options.handlerFor(parsed.event.type);
    if (!handler) return { kind: 'skip', message };
    return { kind: 'apply', message, event: parsed.event, handler };
  }

  private passesBy(topic: string, type: string): boolean {
    return !this.options.handlerFor(type) && eventTypesOf(topic).includes(type);
  }

  /**
   * Applies `group` in one transaction. If an event fails, the transaction is rolled back, the
   * events before it are applied again, the culprit is retried alone (or dead-lettered), and the
   * events after it go on. Returns false when it gave up because the consumer is stopping.
   */
  private async applyGroup(group: ApplyItem[], control: BatchControl): Promise<boolean> {
    let pending = group;
    while (pending.length > 0) {
      const batch = pending;
      const outcome = await this.untilDatabase(control, () => this.attempt(batch, control, 1));
      if (outcome === STOPPED) return false;
      if (outcome.ok) {
        control.resolveOffset(batch[batch.length - 1].message.offset);
        return true;
      }
      if (outcome.failedIndex === undefined && batch.length > 1) {
        // No one event is named (the commit failed, or a batch handler failed as a whole): halve
        // the group until the failure passes (it was transient) or one event is left to blame.
        const half = Math.ceil(batch.length / 2);
        return (await this.applyGroup(batch.slice(0, half), control)) && this.applyGroup(batch.slice(half), control);
      }
      const culprit = outcome.failedIndex ?? 0;
      if (culprit > 0 && !(await this.applyGroup(batch.slice(0, culprit), control))) return false;
      if (!(await this.retryOrDeadLetter(batch[culprit], control, outcome.error))) return false;
      control.resolveOffset(batch[culprit].message.offset);
      pending = batch.slice(culprit + 1);
    }
    return true;
  }

  /** The event failed its first attempt with `firstError`: retry with backoff, then dead-letter. */
  private async retryOrDeadLetter(item: ApplyItem, control: BatchControl, firstError: unknown): Promise<boolean> {
    const { maxAttempts, backoffMs, maxBackoffMs } = this.options.retry;
    let lastError = firstError;
    let attempts = 1;
    while (attempts < maxAttempts && !(lastError instanceof RejectEventError)) {
      this.options.log?.('warn', 'event failed; retrying', { eventId: item.event.id, type: item.event.type, attempt: attempts, error: describeError(lastError) });
      await sleep(jitteredBackoffMs(attempts - 1, { minMs: backoffMs, maxMs: maxBackoffMs }));
      await control.heartbeat();
      attempts++;
      const attempt = attempts;
      const outcome = await this.untilDatabase(control, () => this.attempt([item], control, attempt));
      if (outcome === STOPPED) return false;
      if (outcome.ok) return true;
      lastError = outcome.error;
    }
    const rejection =
      lastError instanceof RejectEventError
        ? { reason: lastError.reason, errors: lastError.errors }
        : { reason: `handler failed after ${attempts} attempts: ${describeError(lastError)}`, errors: [describeError(lastError)] };
    this.options.log?.('error', 'event dead-lettered', { eventId: item.event.id, type: item.event.type, reason: rejection.reason });
    await this.options.deadLetters.reject(
      {
        topic: control.topic,
        partition: control.partition,
        offset: item.message.offset,
        key: item.message.key,
        value: item.message.value,
        headers: item.message.headers,
        eventId: item.event.id,
        eventType: item.event.type,
        orgId: item.event.orgid,
      },
      { ...rejection, attempts },
    );
    this.options.metrics?.deadLettered();
    return true;
  }

  /** One transaction over `group`; a database outage propagates, any other failure is the outcome. */
  private async attempt(group: ApplyItem[], control: BatchControl, attempt: number): Promise<Outcome> {
    const progress = { index: undefined as number | undefined };
    try {
      await this.transaction(group, control, attempt, progress);
      return { ok: true };
    } catch (thrown) {
      if (isDatabaseUnavailable(thrown)) throw thrown;
      const error = thrown instanceof EventInBatchFailedError ? thrown.cause : thrown;
      return { ok: false, error, failedIndex: progress.index };
    }
  }

  /**
   * With tracing on, the transaction is a span continuing the trace of its first event (linking
   * the others' traces), and each event a plain handler applies is a span of its own event's
   * trace: its SQL, and the events it publishes, join the trace that event came in.
   */
  private async transaction(group: ApplyItem[], control: BatchControl, attempt: number, progress: { index?: number }): Promise<void> {
    if (!isTracingEnabled()) return this.applyInTransaction(group, control, attempt, progress);
    return inSpan(`apply ${control.topic}`, { kind: 'consumer', traceparents: group.map(traceparentOf), attributes: spanAttributes(control, group.length, attempt) }, () =>
      this.applyInTransaction(group, control, attempt, progress),
    );
  }

  private async applyInTransaction(group: ApplyItem[], control: BatchControl, attempt: number, progress: { index?: number }): Promise<void> {
    let applied = 0;
    await this.options.dataSource.transaction(async (manager) => {
      const fresh = await claimEvents(
        manager,
        this.options.consumerGroup,
        group.map((item) => item.event.id),
      );
      // Applied before: redelivery changes nothing.
      const due = [...group.entries()].filter(([, item]) => fresh.delete(item.event.id));
      for (let first = 0; first < due.length;) {
        const handler = due[first][1].handler;
        if (isBatchHandler(handler)) {
          let end = first + 1;
          while (end < due.length && due[end][1].handler === handler) end++;
          const run = due.slice(first, end);
          progress.index = run[0][0];
          try {
            await handler.batch(
              run.map(([, item]) => item.event),
              this.contextFor(manager, control, run[run.length - 1][1].message, attempt),
            );
          } catch (error) {
            // Unless the handler named the event, any of them may be the cause: each is then isolated.
            if (error instanceof EventInBatchFailedError && run[error.index]) progress.index = run[error.index][0];
            else if (run.length > 1) progress.index = undefined;
            throw error;
          }
          applied += run.length;
          first = end;
        } else {
          const [index, item] = due[first];
          progress.index = index;
          const apply = () => handler(item.event, this.contextFor(manager, control, item.message, attempt));
          if (isTracingEnabled()) await inSpan(`process ${item.event.type}`, { kind: 'consumer', traceparents: [traceparentOf(item)] }, apply);
          else await apply();
          applied++;
          first++;
        }
      }
      progress.index = undefined;
    });
    this.options.metrics?.applied(applied);
    // A partition's batch is in offset order: its first event was appended first.
    const appendedAt = Number(group[0]?.message.timestamp);
    if (appendedAt > 0) this.options.metrics?.latency?.((Date.now() - appendedAt) / 1000);
  }

  /** The handler's events go to the transaction's outbox. */
  private contextFor(manager: EntityManager, control: BatchControl, message: KafkaMessage, attempt: number): EventContext {
    return {
      manager,
      publish: (events) => enqueueEvents(manager, Array.isArray(events) ? events : [events as AnyHubEvent]),
      topic: control.topic,
      partition: control.partition,
      offset: message.offset,
      attempt,
    };
  }

  private untilDatabase<T>(control: BatchControl, work: () => Promise<T>): Promise<T | typeof STOPPED> {
    return untilDatabase(control, work, { backoffMs: this.options.retry.backoffMs, holding: 'the batch', log: this.options.log });
  }
}

function isBatchHandler(handler: AnyEventHandler): handler is BatchEventHandler {
  return typeof handler !== 'function';
}

/** The trace an event continues: its Kafka header (the producer's send span), else its envelope's. */
function traceparentOf(item: ApplyItem): string | undefined {
  const header = item.message.headers?.[TRACE_CONTEXT_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value ? value.toString() : item.event.traceparent;
}

function spanAttributes(control: BatchControl, events: number, attempt: number): Record<string, string | number> {
  return {
    'messaging.system': 'kafka',
    'messaging.destination.name': control.topic,
    'messaging.destination.partition.id': String(control.partition),
    'messaging.batch.message_count': events,
    'audience_hub.attempt': attempt,
  };
}
