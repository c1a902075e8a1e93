/** Most ids one membership event may carry (added + removed together). */
export const MAX_CHUNK_IDS = 10000;

/** Splits ids into runs of at most `max` (membership events' chunks by default). */
export function chunksOf<T>(items: readonly T[], max: number = MAX_CHUNK_IDS): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += max) chunks.push(items.slice(start, start + max));
  return chunks;
}

/** Most ids one synchronous `POST /v1/resolve` call may carry. */
export const MAX_SYNC_RESOLVE_IDS = 1000;
