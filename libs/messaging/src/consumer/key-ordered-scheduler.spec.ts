import type { KafkaMessage } from 'kafkajs';
import type { BatchControl } from './batch-processor';
import { KeyOrderedScheduler, type KeyOrderedSchedulerOptions } from './key-ordered-scheduler';

const message = (offset: number, key: string, bytes = 10): KafkaMessage =>
  ({ offset: String(offset), key: Buffer.from(key), value: Buffer.alloc(bytes), timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;

/** A gate a test opens: the batch holding it stays in flight until then. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** Settles every pending promise callback (no timers involved). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function harness(options: Partial<KeyOrderedSchedulerOptions> = {}, gates: Record<string, Promise<void>> = {}) {
  const applied: string[] = [];
  const batches: string[][] = [];
  const commits: Array<[number, string]> = [];
  const paused: number[] = [];
  const seeks: Array<[number, string]> = [];
  const scheduler = new KeyOrderedScheduler({
    process: async (messages: KafkaMessage[], control: BatchControl) => {
      batches.push(messages.map((m) => `${m.key}@${m.offset}`));
      for (const m of messages) {
        const held = gates[`${m.key}@${m.offset}`];
        if (held) await held;
        applied.push(`${m.key}@${m.offset}`);
        control.resolveOffset(m.offset);
      }
    },
    commit: async (_topic, partition, offset) => void commits.push([partition, offset]),
    pause: (_topic, partition) => void paused.push(partition),
    resume: () => undefined,
    seek: (_topic, partition, offset) => void seeks.push([partition, offset]),
    logicalTopic: (topic) => topic,
    concurrency: 3,
    maxBatchBytes: 1_000,
    maxBatchEvents: 100,
    maxQueuedBytesPerPartition: 10_000,
    ...options,
  });
  return { scheduler, applied, batches, commits, paused, seeks };
}

describe('KeyOrderedScheduler', () => {
  it('applies an event of another key while a big batch of the same partition is in flight, and keeps each key in order', async () => {
    const big = gate();
    const { scheduler, applied, commits } = harness({}, { 'snapshot@0': big.wait });
    scheduler.enqueue('t', 0, [message(0, 'snapshot', 900), message(1, 'snapshot', 900), message(2, 'delta'), message(3, 'snapshot')]);
    await settle();

    // The delta behind the snapshot's chunk is applied; the snapshot's later chunks wait for its first.
    expect(applied).toEqual(['delta@2']);
    // Nothing is committed past the chunk still in flight.
    expect(commits).toEqual([]);

    big.open();
    await settle();
    expect(applied).toEqual(['delta@2', 'snapshot@0', 'snapshot@1', 'snapshot@3']);
    await scheduler.drain();
    expect(commits.at(-1)).toEqual([0, '4']);
  });

  it('applies another partition while one partition holds a long batch', async () => {
    const long = gate();
    const { scheduler, applied, commits } = harness({}, { 'a@0': long.wait });
    scheduler.enqueue('t', 0, [message(0, 'a'), message(1, 'b')]);
    scheduler.enqueue('t', 1, [message(0, 'c')]);
    await settle();
    // Partition 0's batch took both of its keys and is held by a@0; partition 1 went on.
    expect(applied).toEqual(['c@0']);
    expect(commits).toEqual([[1, '1']]);
    long.open();
    await scheduler.drain();
    expect(applied).toEqual(['c@0', 'a@0', 'b@1']);
    expect(commits).toContainEqual([0, '2']);
  });

  it('gives small events slots of their own: a delta starts while large batches fill theirs, and each kind waits only for its own', async () => {
    const snapshot = gate();
    const delta = gate();
    const { scheduler, applied, batches } = harness({ concurrency: 1, largeEventBytes: 500, maxBatchBytes: 10_000 }, { 'snapshot@0': snapshot.wait, 'delta@0': delta.wait });
    scheduler.enqueue('t', 0, [message(0, 'snapshot', 900)]);
    scheduler.enqueue('t', 1, [message(0, 'delta')]);
    scheduler.enqueue('t', 2, [message(0, 'other-snapshot', 900)]);
    scheduler.enqueue('t', 3, [message(0, 'other-delta')]);
    await settle();
    // One slot of each kind: the snapshot's chunk and the delta are both in flight, the others wait for their kind's slot.
    expect(batches).toEqual([['snapshot@0'], ['delta@0']]);

    delta.open();
    await settle();
    expect(applied).toEqual(['delta@0', 'other-delta@0']);

    snapshot.open();
    await settle();
    expect(applied).toEqual(['delta@0', 'other-delta@0', 'snapshot@0', 'other-snapshot@0']);
    await scheduler.drain();
  });

  it('slices a partition into bounded batches and commits only what is applied in order', async () => {
    const second = gate();
    const { scheduler, batches, commits } = harness({ maxBatchBytes: 100 }, { 'k2@2': second.wait });
    scheduler.enqueue('t', 0, [message(0, 'k1', 60), message(1, 'k1', 60), message(2, 'k2', 60), message(3, 'k3', 60)]);
    await settle();
    // k1@0 alone (the next would exceed the bytes), k2@2, k3@3; k1@1 waits for k1@0's batch.
    expect(batches.slice(0, 3)).toEqual([['k1@0'], ['k2@2'], ['k3@3']]);
    expect(commits.at(-1)).toEqual([0, '2']);
    second.open();
    await scheduler.drain();
    expect(batches).toContainEqual(['k1@1']);
    expect(commits.at(-1)).toEqual([0, '4']);
  });

  it('takes nothing twice when a fetch restarts from an older position', async () => {
    const { scheduler, applied } = harness();
    scheduler.enqueue('t', 0, [message(0, 'a'), message(1, 'b')]);
    scheduler.enqueue('t', 0, [message(0, 'a'), message(1, 'b'), message(2, 'c')]);
    await scheduler.drain();
    expect(applied).toEqual(['a@0', 'b@1', 'c@2']);
  });

  it('pauses a partition whose queue is full', async () => {
    const held = gate();
    const { scheduler, paused } = harness({ maxQueuedBytesPerPartition: 100, concurrency: 1 }, { 'a@0': held.wait });
    scheduler.enqueue('t', 0, [message(0, 'a', 50)]);
    scheduler.enqueue('t', 0, [message(1, 'b', 60), message(2, 'c', 60)]);
    expect(paused).toEqual([]);
    scheduler.enqueue('t', 0, [message(3, 'd', 60), message(4, 'e', 60)]);
    expect(paused).toEqual([0]);
    held.open();
    await scheduler.drain();
  });

  it('pauses a partition holding too many small events, and resumes it once they are applied', async () => {
    const held = gate();
    const resumed: number[] = [];
    const { scheduler, paused, applied } = harness(
      { maxQueuedEventsPerPartition: 3, concurrency: 1, resume: (_topic, partition) => void resumed.push(partition) },
      { 'a@0': held.wait },
    );
    scheduler.enqueue('t', 0, [message(0, 'a')]);
    // Tiny events, far below the bytes bound: the count decides (a pause at twice the bound).
    scheduler.enqueue('t', 0, [message(1, 'b'), message(2, 'c'), message(3, 'd'), message(4, 'e'), message(5, 'f')]);
    expect(paused).toEqual([]);
    scheduler.enqueue('t', 1, [message(0, 'x')]);
    scheduler.enqueue('t', 0, [message(6, 'g')]);
    expect(paused).toEqual([0]);
    held.open();
    await settle();
    expect(resumed).toEqual([0]);
    expect(applied).toEqual(expect.arrayContaining(['a@0', 'b@1', 'g@6', 'x@0']));
    await scheduler.drain();
  });

  it("reads past a key's backlog: its further large events are deferred, and read again once the queue drained", async () => {
    const first = gate();
    const { scheduler, applied, seeks, commits } = harness({ maxQueuedBytesPerPartition: 250, largeEventBytes: 50, maxBatchBytes: 100 }, { 'big@0': first.wait });
    // The snapshot's chunks fill the queue; the delta behind them in the partition is still read and applied.
    scheduler.enqueue('t', 0, [
      message(0, 'big', 100),
      message(1, 'big', 100),
      message(2, 'big', 100),
      message(3, 'big', 100),
      message(4, 'big', 100),
      message(5, 'delta', 10),
      message(6, 'big', 100),
    ]);
    await settle();
    expect(applied).toEqual(['delta@5']);
    // Nothing after the first deferred chunk is committed.
    expect(commits).toEqual([]);

    first.open();
    await settle();
    expect(applied).toEqual(['delta@5', 'big@0', 'big@1', 'big@2']);
    // The deferred chunks are read again from the first of them; what was taken before is skipped.
    expect(seeks).toEqual([[0, '3']]);
    scheduler.enqueue('t', 0, [message(3, 'big', 100), message(4, 'big', 100), message(5, 'delta', 10), message(6, 'big', 100)]);
    await settle();
    await scheduler.drain();
    expect(applied).toEqual(['delta@5', 'big@0', 'big@1', 'big@2', 'big@3', 'big@4', 'big@6']);
    expect(commits.at(-1)).toEqual([0, '7']);
  });

  it('takes deferred events back while the queue has room, then reads on from where it was', async () => {
    const held = gate();
    const { scheduler, applied, seeks } = harness({ maxQueuedBytesPerPartition: 150, largeEventBytes: 50, maxLargeBatchBytes: 100, concurrency: 1 }, { 'big@0': held.wait });
    const chunks = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => message(from + i, 'big', 100));
    const delta = message(3, 'delta', 10);
    scheduler.enqueue('t', 0, [...chunks(0, 3), delta, ...chunks(4, 8)]);
    // big@0 and big@1 queued (over the limit), the rest of the snapshot deferred; the delta behind it
    // is read, and applied in a slot of its own while big@0 is held.
    await settle();
    expect(applied).toEqual(['delta@3']);
    held.open();
    await settle();
    expect(applied).toEqual(['delta@3', 'big@0', 'big@1']);
    expect(seeks).toEqual([[0, '2']]);
    // The re-read takes back two chunks (the queue is full again) and jumps to the end of what was read before.
    scheduler.enqueue('t', 0, [...chunks(2, 3), delta, ...chunks(4, 6)]);
    expect(seeks).toEqual([
      [0, '2'],
      [0, '8'],
    ]);
    await settle();
    expect(applied).toEqual(['delta@3', 'big@0', 'big@1', 'big@2', 'big@4']);
    expect(seeks.at(-1)).toEqual([0, '5']);
    scheduler.enqueue('t', 0, chunks(5, 8));
    await settle();
    expect(seeks.at(-1)).toEqual([0, '7']);
    scheduler.enqueue('t', 0, chunks(7, 8));
    await settle();
    await scheduler.drain();
    expect(applied).toEqual(['delta@3', 'big@0', 'big@1', 'big@2', 'big@4', 'big@5', 'big@6', 'big@7']);
  });

  it('drops the queue of a partition the group took away, and stops its batch between transactions', async () => {
    const held = gate();
    let stale: boolean | undefined;
    const { scheduler, applied } = harness({
      concurrency: 1,
      process: async (messages, control) => {
        await held.wait;
        stale = control.isStale();
        if (!stale) for (const m of messages) applied.push(`${m.key}@${m.offset}`);
      },
    });
    scheduler.enqueue('t', 0, [message(0, 'a')]);
    scheduler.enqueue('t', 0, [message(1, 'a')]);
    scheduler.assigned({ t: [1] });
    held.open();
    await scheduler.drain();
    expect(stale).toBe(true);
    expect(applied).toEqual([]);
    expect(scheduler.queued).toBe(0);
  });

  it('tries again the events of a batch that failed, in order', async () => {
    let failures = 1;
    const applied: string[] = [];
    const { scheduler } = harness({
      failureBackoffMs: 1,
      process: async (messages, control) => {
        for (const m of messages) {
          if (m.offset === '1' && failures-- > 0) throw new Error('broker away');
          applied.push(`${m.key}@${m.offset}`);
          control.resolveOffset(m.offset);
        }
      },
    });
    scheduler.enqueue('t', 0, [message(0, 'a'), message(1, 'a'), message(2, 'a')]);
    const deadline = Date.now() + 5_000;
    while (applied.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await scheduler.drain();
    expect(applied).toEqual(['a@0', 'a@1', 'a@2']);
  });

  it('tries again a failed batch of large events while the only small slot stays busy', async () => {
    let failures = 1;
    const applied: string[] = [];
    const delta = gate();
    const { scheduler } = harness({
      concurrency: 1,
      largeEventBytes: 50,
      failureBackoffMs: 1,
      process: async (messages, control) => {
        for (const m of messages) {
          if (`${m.key}@${m.offset}` === 'delta@0') await delta.wait;
          if (m.offset === '2' && failures-- > 0) throw new Error('database away');
          applied.push(`${m.key}@${m.offset}`);
          control.resolveOffset(m.offset);
        }
      },
    });
    scheduler.enqueue('t', 1, [message(0, 'delta')]);
    scheduler.enqueue('t', 0, [message(0, 'snapshot', 100), message(1, 'snapshot', 100), message(2, 'snapshot', 100), message(3, 'snapshot', 100)]);
    const deadline = Date.now() + 5_000;
    while (applied.length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    // The chunks left unapplied went back to the queue and were taken again: the delta still holds the small slot.
    expect(applied).toEqual(['snapshot@0', 'snapshot@1', 'snapshot@2', 'snapshot@3']);
    delta.open();
    await scheduler.drain();
    expect(applied).toEqual(['snapshot@0', 'snapshot@1', 'snapshot@2', 'snapshot@3', 'delta@0']);
  });
});
