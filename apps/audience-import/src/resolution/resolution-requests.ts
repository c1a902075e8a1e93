import { createEvent, EventTypes, MAX_CHUNK_IDS, type HubEventOf } from '@audience-hub/contracts';
import { SOURCE } from '../imports/import-events';

export const REQUESTER = 'audience-import';

/** Unique per run (import + snapshot seq), and an EntityId: `<importId>.<seq>`. */
export const requestIdOf = (importId: string, runSeq: number): string => `${importId}.${runSeq}`;

/** One `idrec.resolution.requested` for one snapshot part: at most MAX_CHUNK_IDS ids, as the contract says. */
export function resolutionRequest(
  orgId: string,
  request: { requestId: string; dataSourceId: string; part: number; lastPart: boolean; ids: string[] },
): HubEventOf<'idrec.resolution.requested'> {
  if (request.ids.length === 0 || request.ids.length > MAX_CHUNK_IDS) throw new Error(`a resolution request holds 1..${MAX_CHUNK_IDS} ids, not ${request.ids.length}`);
  return createEvent({
    type: EventTypes.idrecResolutionRequested,
    source: SOURCE,
    orgId,
    // Keyed per part: a run's chunks spread over the partitions, so id-reconciliation resolves them in parallel.
    aggregateId: `${request.requestId}/${request.part}`,
    data: { requester: REQUESTER, direction: 'to-recipients', ...request },
  });
}

/** Splits ids into chunks of at most `size` (the last may be shorter); none for no ids. */
export function* chunksOf<T>(items: Iterable<T>, size = MAX_CHUNK_IDS): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
