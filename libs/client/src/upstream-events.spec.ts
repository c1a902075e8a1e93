import { EventTypes, HubEnvelopeSchema, parseEvent, Topics } from '@audience-hub/contracts';
import { audienceMembersEvents, chunksOf, listMembersEvents, membershipChunks, stableEventId, upstreamEvent } from './upstream-events';

const ecid = (n: number) => String(n).padStart(38, '0');
const orgId = 'A1B2C3D4E5F6A7B8C9D0E1F2@AdobeOrg';

describe('upstream events', () => {
  it('chunks added then removed ids into parts of at most the limit, the last one marked', () => {
    const chunks = membershipChunks(['a', 'b', 'c'], ['d', 'e'], 2);
    expect(chunks).toEqual([
      { part: 0, lastPart: false, added: ['a', 'b'], removed: [] },
      { part: 1, lastPart: false, added: ['c'], removed: ['d'] },
      { part: 2, lastPart: true, added: [], removed: ['e'] },
    ]);
    expect(membershipChunks([], [])).toEqual([{ part: 0, lastPart: true, added: [], removed: [] }]);
    expect(membershipChunks(['a', 'b'], [], 2)).toEqual([{ part: 0, lastPart: true, added: ['a', 'b'], removed: [] }]);
    expect(chunksOf([1, 2, 3], 2)).toEqual([[1, 2], [3]]);
  });

  it('derives the same UUID from the same parts, another from others', () => {
    const id = stableEventId('a', 'b');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableEventId('a', 'b')).toBe(id);
    expect(stableEventId('ab')).not.toBe(id);
  });

  it('builds a snapshot of 25,001 ids as three valid xc.audience.members events with stable ids', () => {
    const ids = Array.from({ length: 25_001 }, (_, i) => ecid(i + 1));
    const snapshot = { orgId, audienceId: '123456', snapshotId: 'snap-1', mode: 'full' as const, idType: 'visitor' as const, added: ids };
    const events = audienceMembersEvents('/xc/test', snapshot);
    expect(events.map((e) => [e.data.part, e.data.lastPart, e.data.added.length])).toEqual([
      [0, false, 10_000],
      [1, false, 10_000],
      [2, true, 5_001],
    ]);
    for (const event of events) {
      expect(event.partitionkey).toBe(`${orgId}:123456`);
      expect(HubEnvelopeSchema.safeParse(event).success).toBe(true);
      expect(parseEvent(Topics.xcAudiences, JSON.parse(JSON.stringify(event))).ok).toBe(true);
    }
    expect(audienceMembersEvents('/xc/test', snapshot).map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(events.every((e) => e.traceparent === undefined)).toBe(true);
  });

  it("carries the sender's trace context on every part", () => {
    const traceparent = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const snapshot = {
      orgId,
      audienceId: '1',
      snapshotId: 's',
      mode: 'full' as const,
      idType: 'visitor' as const,
      added: Array.from({ length: 10_001 }, (_, i) => ecid(i + 1)),
      traceparent,
    };
    expect(audienceMembersEvents('/xc/test', snapshot).map((e) => e.traceparent)).toEqual([traceparent, traceparent]);
  });

  it('builds list membership changes in chunks of at most 10,000 recipients', () => {
    const events = listMembersEvents('/campaign', { orgId, listId: 'lst-1', changeId: 'wf-1', added: Array.from({ length: 10_001 }, (_, i) => `rcp-${i}`), removed: ['rcp-x'] });
    expect(events.map((e) => [e.type, e.data.recipientIds.length])).toEqual([
      [EventTypes.campaignListMembersAdded, 10_000],
      [EventTypes.campaignListMembersAdded, 1],
      [EventTypes.campaignListMembersRemoved, 1],
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
  });

  it('refuses invalid data and events Campaign or XC do not publish', () => {
    expect(() =>
      upstreamEvent('/campaign', {
        type: EventTypes.campaignVisitorObserved,
        orgId,
        aggregateId: 'rcp-1',
        data: { recipientId: 'rcp-1', ecid: '12', observedAt: new Date().toISOString(), channel: 'web' } as never,
      }),
    ).toThrow(/ecid/);
    expect(() => upstreamEvent('/x', { type: EventTypes.campaignImportCompleted as never, orgId, aggregateId: 'a', data: {} as never })).toThrow(
      'is not an event Campaign or XC publishes',
    );
  });
});
