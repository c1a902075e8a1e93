import { getHeapStatistics } from 'node:v8';

/**
 * How much a consumer reads ahead, from the V8 heap it runs in. kafkajs decodes a whole fetch
 * response into message objects at once, and the scheduler queues them: each costs about a
 * kilobyte of heap besides its value (the value's bytes live outside the heap). A backlog of small
 * events (recipient upserts of 300 bytes) fetched and queued by bytes alone filled a 128 MB heap
 * within seconds: 16 MiB per partition is 50,000 of them. So:
 * - a fetch brings at most a 32nd of the heap limit (1-64 MiB): about 20,000 small events under a
 *   128 MB cap, and kafkajs's own 64 MiB when the heap is large;
 * - a partition queues at most one event per 64 KiB of heap limit (at least 500): 2,900 under a
 *   128 MB cap, 70,000 uncapped. Large events (audience chunks) are bounded by their bytes as before.
 */
export function heapReadAhead(heapLimitBytes = getHeapStatistics().heap_size_limit): { maxFetchBytes: number; maxQueuedEventsPerPartition: number } {
  const MiB = 1024 * 1024;
  return {
    maxFetchBytes: Math.round(Math.min(64 * MiB, Math.max(MiB, heapLimitBytes / 32))),
    maxQueuedEventsPerPartition: Math.max(500, Math.floor(heapLimitBytes / (64 * 1024))),
  };
}
