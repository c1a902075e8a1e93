import { heapReadAhead } from './heap-read-ahead';

const MB = 1_000_000;
const MiB = 1024 * 1024;

describe('heapReadAhead', () => {
  it('reads little ahead in a small heap', () => {
    // --max-old-space-size=128 with 12 MB semi-spaces: V8 reports a 184 MB limit.
    const { maxFetchBytes, maxQueuedEventsPerPartition } = heapReadAhead(184 * MB);
    expect(maxFetchBytes).toBeLessThan(6 * MiB);
    expect(maxQueuedEventsPerPartition).toBeLessThan(3_000);
    // Six busy partitions at their pause threshold (twice the bound), a kilobyte and a half each, and one fetch of small events: under half the heap.
    expect(6 * 2 * maxQueuedEventsPerPartition * 1_500 + (maxFetchBytes / 300) * 1_500).toBeLessThan(0.5 * 184 * MB);
  });

  it('reads as far ahead as kafkajs allows in a large heap', () => {
    expect(heapReadAhead(4_496 * MB)).toEqual({ maxFetchBytes: 64 * MiB, maxQueuedEventsPerPartition: 68_603 });
  });

  it('never goes below a working minimum', () => {
    expect(heapReadAhead(8 * MB)).toEqual({ maxFetchBytes: MiB, maxQueuedEventsPerPartition: 500 });
  });

  it('reads the heap limit of the running process by default', () => {
    expect(heapReadAhead().maxQueuedEventsPerPartition).toBeGreaterThanOrEqual(500);
  });
});
