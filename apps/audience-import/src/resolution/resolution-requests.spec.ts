import { MAX_CHUNK_IDS, validateEventData } from '@audience-hub/contracts';
import { chunksOf, requestIdOf, resolutionRequest } from './resolution-requests';

const ORG = '5DC5123F5245B1D20A490D46@AdobeOrg';

describe('chunking', () => {
  it('splits ids into chunks of at most 10,000, keeping every id once and in order', () => {
    const ids = Array.from({ length: 25_001 }, (_, i) => `id-${i}`);
    const chunks = [...chunksOf(ids)];
    expect(chunks.map((chunk) => chunk.length)).toEqual([MAX_CHUNK_IDS, MAX_CHUNK_IDS, 5_001]);
    expect(chunks.flat()).toEqual(ids);
  });

  it('gives no chunk for no ids, one for exactly a chunk', () => {
    expect([...chunksOf([])]).toEqual([]);
    expect([...chunksOf(Array.from({ length: MAX_CHUNK_IDS }, String))]).toHaveLength(1);
  });
});

describe('resolution requests', () => {
  it('are valid idrec.resolution.requested events addressed to audience-import', () => {
    const requestId = requestIdOf('imp-0123456789ab', 3);
    const event = resolutionRequest(ORG, { requestId, dataSourceId: 'visitor', part: 2, lastPart: true, ids: ['a', 'b'] });
    expect(requestId).toBe('imp-0123456789ab.3');
    expect(validateEventData(event.type, event.data)).toMatchObject({ requester: 'audience-import', direction: 'to-recipients', part: 2, lastPart: true });
    expect(event.partitionkey).toBe(`${ORG}:${requestId}/2`);
  });

  it('refuse an empty or oversized chunk', () => {
    const request = { requestId: 'r.1', dataSourceId: 'visitor', part: 0, lastPart: true };
    expect(() => resolutionRequest(ORG, { ...request, ids: [] })).toThrow();
    expect(() => resolutionRequest(ORG, { ...request, ids: Array.from({ length: MAX_CHUNK_IDS + 1 }, String) })).toThrow();
  });
});
