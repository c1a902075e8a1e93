import type { KafkaMessage } from 'kafkajs';
import type { BatchControl } from './batch-processor';

export interface KeyOrderedSchedulerOptions {
  /** Applies one batch (events of one partition, in offset order per key); the BatchProcessor's `process`. */
  process(messages: KafkaMessage[], control: BatchControl): Promise<void>;
  /** Commits `offset` (the next offset to read) of a partition this member holds. */
  commit(topic: string, partition: number, offset: string): Promise<void>;
  /** Stops / restarts fetching a partition whose queue is full / drained. */
  pause(topic: string, partition: number): void;
  resume(topic: string, partition: number): void;
  /** Reads a partition again from `offset` (deferred events). */
  seek(topic: string, partition: number, offset: string): void;
  /** The topic name handlers see (the physical one without its prefix). */
  logicalTopic(topic: string): string;
  /**
   * Batches of small events applied at the same time, across partitions and keys; batches of
   * large events (a snapshot's chunks) have as many slots of their own, so small work never waits
   * for a slot behind big work.
   */
  concurrency: number;
  /** Bytes and count of small events in one batch (the first event always goes, whatever its size). */
  maxBatchBytes: number;
  maxBatchEvents: number;
  /** Bytes of large events in one batch: a few chunks, parsed and applied before the key's next batch. Default 1 MiB. */
  maxLargeBatchBytes?: number;
  /** Events above this size (a snapshot's chunk) are batched apart from smaller ones. Default 64 KiB. */
  largeEventBytes?: number;
  /**
   * Bytes of queued events of a partition above which a key's further large events are deferred
   * (read again later); at twice this the partition stops fetching until below it again.
   */
  maxQueuedBytesPerPartition: number;
  /**
   * Events queued per partition, whatever their size, with the same effect as the bytes at twice
   * it (a pause): each fetched event costs about a kilobyte of heap besides its value, so small
   * events fill a heap long before their bytes reach the bound (heapReadAhead). Default: no bound.
   */
  maxQueuedEventsPerPartition?: number;
  /** Pause of a partition whose batch failed unexpectedly before its events are tried again. */
  failureBackoffMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
}

interface BatchLimits {
  maxBytes: number;
  maxLargeBytes: number;
  maxEvents: number;
}

interface QueueLimits {
  maxQueuedBytes: number;
  largeEventBytes: number;
}

interface Queued {
  message: KafkaMessage;
  offset: bigint;
  key: string;
  bytes: number;
  /** Over `largeEventBytes`: batched apart from small events, in slots of its own. */
  large: boolean;
}

/** What this member holds of one partition in the current assignment. */
class PartitionState {
  /** Fetched, not yet handed to a batch, in offset order. */
  queue: Queued[] = [];
  queuedBytes = 0;
  /** How many of the queued events are large: with no slot for the other kind, nextBatch need not look. */
  private queuedLarge = 0;
  /** Keys with a batch being applied: their later events wait. */
  readonly busyKeys = new Map<string, number>();
  /**
   * Offsets handed over (queued or in a batch) and not yet applied, in order, from `orderHead` on;
   * `done` marks the applied ones. (A head index, not shift(): shifting a long array copies it.)
   */
  private order: bigint[] = [];
  private orderHead = 0;
  private readonly done = new Set<bigint>();
  /** Highest offset taken from a fetch: a fetch from an older position (after a rejoin) brings nothing twice. */
  highestTaken = -1n;
  /** Offsets read but not kept (see take), and how many of them each key has. */
  private readonly deferred = new Set<bigint>();
  private readonly deferredKeys = new Map<string, number>();
  /** A seek asked for and not yet seen in a fetch (when it was asked): no other is asked meanwhile, for a while. */
  private pendingSeek?: { offset: bigint; at: number };
  /** A re-read found the queue full: the deferred events after that point wait for the next one. */
  private refilled = false;
  /** The next offset to read once everything before it is applied; -1 before the first event. */
  private applied = -1n;
  committed = -1n;
  /** The position to commit next (the commit chain reads it when its turn comes, so commits coalesce). */
  toCommit = -1n;
  paused = false;
  revoked = false;
  retryAfter = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /**
   * Takes a fetched event: queued, or skipped when taken before (a fetch from an older position),
   * or deferred: while the queue is over its limit, a large event of a key that already has work
   * queued is not kept (nor any later event of that key, to keep its order); the partition is read
   * again from the first deferred offset once the queue drained (`rewindTo`), and deferred events
   * are taken back while the queue has room; then reading jumps back to where it was (`jumpTo`),
   * so a re-read costs about one queue's worth. Events of other keys behind a backlog in the
   * partition are read meanwhile: small work is never stuck behind a big key's backlog in Kafka,
   * and memory stays bounded.
   */
  take(message: KafkaMessage, limits: QueueLimits): void {
    const offset = BigInt(message.offset);
    if (this.pendingSeek?.offset === offset) this.pendingSeek = undefined;
    const bytes = message.value?.length ?? 0;
    const item: Queued = { message, offset, key: message.key?.toString('latin1') ?? '', bytes, large: bytes > limits.largeEventBytes };
    if (offset <= this.highestTaken) {
      if (!this.deferred.has(offset)) return;
      if (this.refilled || (this.queue.length > 0 && this.queuedBytes >= limits.maxQueuedBytes)) {
        // The queue is full again: the rest stays deferred (in order: nothing after this is taken back in this read).
        this.refilled = true;
        return;
      }
      this.deferred.delete(offset);
      // A deferred event read again: into the queue at its place.
      const left = (this.deferredKeys.get(item.key) ?? 1) - 1;
      if (left > 0) this.deferredKeys.set(item.key, left);
      else this.deferredKeys.delete(item.key);
      let at = this.queue.length;
      while (at > 0 && this.queue[at - 1].offset > offset) at--;
      this.queue.splice(at, 0, item);
      this.count(item);
      return;
    }
    this.highestTaken = offset;
    this.order.push(offset);
    const defer =
      this.deferredKeys.has(item.key) ||
      (this.queuedBytes >= limits.maxQueuedBytes && item.large && (this.busyKeys.has(item.key) || this.queue.some((queued) => queued.key === item.key)));
    if (defer) {
      this.deferred.add(offset);
      this.deferredKeys.set(item.key, (this.deferredKeys.get(item.key) ?? 0) + 1);
      return;
    }
    this.queue.push(item);
    this.count(item);
  }

  private count(item: Queued): void {
    this.queuedBytes += item.bytes;
    if (item.large) this.queuedLarge++;
  }

  /** Drops everything queued (the partition is another member's now). */
  clear(): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.queuedLarge = 0;
  }

  /** Where to read again from, when deferred events wait, the queue drained, and no re-read is under way. */
  rewindTo(now: number, limits: QueueLimits): bigint | undefined {
    if (this.deferred.size === 0 || this.queuedBytes >= limits.maxQueuedBytes / 2) return undefined;
    if (this.pendingSeek && now - this.pendingSeek.at < 1_000) return undefined;
    this.refilled = false;
    let first = -1n;
    for (const offset of this.deferred) if (first < 0n || offset < first) first = offset;
    this.pendingSeek = { offset: first, at: now };
    return first;
  }

  /**
   * After a fetch of events up to `lastOffset`: where to read on from when a re-read filled the
   * queue before reaching what was read before (the events in between were taken already or stay
   * deferred), once.
   */
  jumpTo(lastOffset: bigint): bigint | undefined {
    if (!this.refilled) return undefined;
    this.refilled = false;
    if (lastOffset >= this.highestTaken) return undefined;
    // (a later rewind may supersede this jump: it reads forward from further back)
    return this.highestTaken + 1n;
  }

  /** Marks `offset` applied; returns the new commit position when it moved. */
  markDone(offset: bigint): bigint | undefined {
    this.done.add(offset);
    let moved = false;
    while (this.orderHead < this.order.length && this.done.has(this.order[this.orderHead])) {
      const head = this.order[this.orderHead++];
      this.done.delete(head);
      this.applied = head + 1n;
      moved = true;
    }
    if (this.orderHead > 4_096 && this.orderHead * 2 > this.order.length) {
      this.order = this.order.slice(this.orderHead);
      this.orderHead = 0;
    }
    return moved ? this.applied : undefined;
  }

  /**
   * The next batch: events in offset order whose key has no batch in flight and no earlier event
   * left behind in this pass, so each key's events are applied in their order. Small and large
   * events never share a batch (a snapshot's chunk, whose transaction may be long, does not hold
   * back a delta that happened to be fetched with it), and a batch of large events is one key's.
   * The batch ends at the first event that does not fit. `takes` says which kinds have a free slot.
   */
  nextBatch(limits: BatchLimits, takes: { small: boolean; large: boolean }): Queued[] {
    // Without this, each pump with only a large slot free walked a queue of small events (up to
    // a hundred thousand) to find nothing: a tenth of id-reconciliation's CPU during an ingest.
    const wanted = (takes.small && this.queue.length > this.queuedLarge) || (takes.large && this.queuedLarge > 0);
    if (!wanted) return [];
    const batch: Queued[] = [];
    const held = new Set<string>();
    const rest: Queued[] = [];
    let bytes = 0;
    let large: boolean | undefined;
    let end = this.queue.length;
    for (let i = 0; i < this.queue.length; i++) {
      const item = this.queue[i];
      if (held.has(item.key) || this.busyKeys.has(item.key)) {
        rest.push(item);
        held.add(item.key);
        continue;
      }
      if (!(item.large ? takes.large : takes.small)) {
        // No slot for its kind now: it, and its key's later events, wait.
        rest.push(item);
        held.add(item.key);
        continue;
      }
      if (batch.length > 0) {
        if (item.large !== large || (large && item.key !== batch[0].key)) {
          rest.push(item);
          held.add(item.key);
          continue;
        }
        if (batch.length >= limits.maxEvents || bytes + item.bytes > (large ? limits.maxLargeBytes : limits.maxBytes)) {
          // Full: this event and every later one stay queued, in order.
          end = i;
          break;
        }
      }
      large = item.large;
      batch.push(item);
      bytes += item.bytes;
    }
    if (batch.length > 0) {
      this.queue = end < this.queue.length ? rest.concat(this.queue.slice(end)) : rest;
      this.queuedBytes -= bytes;
      if (large) this.queuedLarge -= batch.length;
      for (const item of batch) this.busyKeys.set(item.key, (this.busyKeys.get(item.key) ?? 0) + 1);
    }
    return batch;
  }

  /** A batch ended: its keys are free; events it left unapplied go back in offset order. */
  release(batch: Queued[], unapplied: Queued[]): void {
    for (const item of batch) {
      const left = (this.busyKeys.get(item.key) ?? 1) - 1;
      if (left > 0) this.busyKeys.set(item.key, left);
      else this.busyKeys.delete(item.key);
    }
    if (unapplied.length === 0) return;
    this.queue = [...unapplied, ...this.queue].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
    for (const item of unapplied) this.count(item);
  }

  get hasQueued(): boolean {
    return this.queue.length > 0;
  }
}

/**
 * Applies a consumer's fetched events with per-key ordering but without head-of-line blocking:
 * - fetching never waits for applying: events are queued per partition and the fetch goes on, so
 *   a long transaction on one partition does not hold the others; a partition's queue is bounded
 *   (over the bound a backlogged key's further large events are deferred and read again later,
 *   see PartitionState.take; at twice the bound the partition pauses);
 * - within a partition, events of a key whose earlier event is being applied wait, and events of
 *   other keys go past them: a one-member delta is not queued behind another audience's snapshot
 *   chunks that share its partition (a key is a partition of its own, as far as ordering goes);
 * - at most `concurrency` batches of small events are applied at once, and as many of large ones
 *   (a snapshot's chunks) in slots of their own, taken from the partitions in turn, each bounded
 *   in bytes and events: big work is sliced, and small work never waits for a slot behind it;
 * - a partition's committed offset is the first one not yet applied: a crash redelivers what was
 *   in flight or queued, and the inbox makes that harmless (exactly-once effects).
 */
export class KeyOrderedScheduler {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly running = new Set<Promise<void>>();
  /** Batches in flight of each kind (small events, large events): each kind has `concurrency` slots. */
  private readonly inFlight = { small: 0, large: 0 };
  private cursor = 0;
  private stopping = false;
  private commitChain: Promise<void> = Promise.resolve();
  private retryTimer?: NodeJS.Timeout;

  private readonly queueLimits: QueueLimits;
  /** Checks for deferred events to read again even when nothing else happens. */
  private readonly ticker: NodeJS.Timeout;

  constructor(private readonly options: KeyOrderedSchedulerOptions) {
    this.queueLimits = { maxQueuedBytes: options.maxQueuedBytesPerPartition, largeEventBytes: options.largeEventBytes ?? 64 * 1024 };
    this.ticker = setInterval(() => this.pump(), 500);
    this.ticker.unref?.();
  }

  /** The partition's queue holds `factor` times its bound of bytes or of events, or more. */
  private queuedPast(state: PartitionState, factor: number): boolean {
    const { maxQueuedBytesPerPartition, maxQueuedEventsPerPartition = Infinity } = this.options;
    return state.queuedBytes >= factor * maxQueuedBytesPerPartition || state.queue.length >= factor * maxQueuedEventsPerPartition;
  }

  /** Queues a fetched batch of one partition; events taken before (a fetch from an older position) are skipped. */
  enqueue(topic: string, partition: number, messages: KafkaMessage[]): void {
    const state = this.stateOf(topic, partition);
    for (const message of messages) state.take(message, this.queueLimits);
    const head = messages.length > 0 ? state.jumpTo(BigInt(messages[messages.length - 1].offset)) : undefined;
    if (head !== undefined) this.options.seek(topic, partition, head.toString());
    if (!state.paused && this.queuedPast(state, 2)) {
      state.paused = true;
      this.options.pause(topic, partition);
    }
    this.pump();
  }

  /**
   * The group's new assignment: partitions no longer held are dropped (their queued events are
   * another member's now, their batches in flight see `isStale()` and stop between transactions).
   */
  assigned(assignment: Record<string, number[]>): void {
    for (const [id, state] of this.partitions) {
      if (assignment[state.topic]?.includes(state.partition)) continue;
      state.revoked = true;
      state.clear();
      if (state.paused) this.options.resume(state.topic, state.partition);
      this.partitions.delete(id);
    }
  }

  /**
   * Stops starting batches, waits for those in flight, and commits what they applied (for at most
   * `commitTimeoutMs`: with the broker away, what is not committed is redelivered and deduped).
   */
  async drain(commitTimeoutMs = 5_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.ticker);
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.commitChain, new Promise<void>((resolve) => (timer = setTimeout(resolve, commitTimeoutMs)))]);
    clearTimeout(timer);
  }

  /** Events fetched and not yet applied, per partition (diagnostics and tests). */
  get queued(): number {
    let count = 0;
    for (const state of this.partitions.values()) count += state.queue.length;
    return count;
  }

  private stateOf(topic: string, partition: number): PartitionState {
    const id = `${topic}|${partition}`;
    let state = this.partitions.get(id);
    if (!state) {
      state = new PartitionState(topic, partition);
      this.partitions.set(id, state);
    }
    return state;
  }

  /** Starts batches while slots are free, taking partitions in turn. */
  private pump(): void {
    if (this.stopping) return;
    const now = Date.now();
    for (const state of this.partitions.values()) {
      const from = state.rewindTo(now, this.queueLimits);
      if (from !== undefined) this.options.seek(state.topic, state.partition, from.toString());
    }
    const limits = {
      maxBytes: this.options.maxBatchBytes,
      maxLargeBytes: this.options.maxLargeBatchBytes ?? 1024 * 1024,
      maxEvents: this.options.maxBatchEvents,
    };
    let idle = 0;
    let backingOff = Infinity;
    const { concurrency } = this.options;
    for (;;) {
      const takes = { small: this.inFlight.small < concurrency, large: this.inFlight.large < concurrency };
      if (!(takes.small || takes.large) || this.partitions.size === 0 || idle >= this.partitions.size) break;
      const states = [...this.partitions.values()];
      const state = states[this.cursor++ % states.length];
      if (state.hasQueued && state.retryAfter > now) backingOff = Math.min(backingOff, state.retryAfter);
      const batch = state.hasQueued && state.retryAfter <= now ? state.nextBatch(limits, takes) : [];
      if (batch.length === 0) {
        idle++;
        if (idle >= this.partitions.size && backingOff < Infinity) this.pumpAt(backingOff);
        continue;
      }
      idle = 0;
      if (state.paused && !this.queuedPast(state, 1)) {
        state.paused = false;
        this.options.resume(state.topic, state.partition);
      }
      const kind = batch[0].large ? 'large' : 'small';
      this.inFlight[kind]++;
      const run = this.run(state, batch).finally(() => {
        this.inFlight[kind]--;
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  /** Pumps again when a partition's backoff after a failure ends. */
  private pumpAt(time: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.pump(), Math.max(1, time - Date.now() + 1));
    this.retryTimer.unref?.();
  }

  private async run(state: PartitionState, batch: Queued[]): Promise<void> {
    let resolved = -1;
    const control: BatchControl = {
      topic: this.options.logicalTopic(state.topic),
      partition: state.partition,
      resolveOffset: (offset) => {
        const upTo = BigInt(offset);
        while (resolved + 1 < batch.length && batch[resolved + 1].offset <= upTo) {
          resolved++;
          if (state.revoked) continue;
          const position = state.markDone(batch[resolved].offset);
          if (position !== undefined) this.commitLater(state, position);
        }
      },
      // The fetch loop runs on and heartbeats for the member.
      heartbeat: async () => undefined,
      // Positions are committed as batches apply (commitLater), not by the processor.
      commitOffsetsIfNecessary: async () => undefined,
      isRunning: () => !this.stopping,
      isStale: () => state.revoked,
    };
    try {
      await this.options.process(
        batch.map((item) => item.message),
        control,
      );
    } catch (error) {
      this.options.log?.('error', 'batch failed; its events are tried again', { topic: control.topic, partition: state.partition, error: String(error) });
      state.retryAfter = Date.now() + (this.options.failureBackoffMs ?? 1_000);
    } finally {
      // Stopping (or stale): what is left stays unapplied and uncommitted, for redelivery.
      state.release(batch, state.revoked || this.stopping ? [] : batch.slice(resolved + 1));
    }
  }

  /** Commits a partition's position after the commits before it (one commit at a time; a later position supersedes). */
  private commitLater(state: PartitionState, position: bigint): void {
    if (position > state.toCommit) state.toCommit = position;
    this.commitChain = this.commitChain.then(async () => {
      const target = state.toCommit;
      if (state.revoked || target <= state.committed) return;
      try {
        await this.options.commit(state.topic, state.partition, target.toString());
        if (target > state.committed) state.committed = target;
      } catch (error) {
        // A rebalance or a coordinator move: tried again shortly (until then a crash redelivers more, deduped by the inbox).
        this.options.log?.('warn', 'offset commit failed; retrying', { topic: state.topic, partition: state.partition, error: String(error) });
        if (!this.stopping) setTimeout(() => this.commitLater(state, target), this.options.failureBackoffMs ?? 1_000).unref?.();
      }
    });
  }
}
