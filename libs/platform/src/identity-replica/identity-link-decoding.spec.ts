import type { KafkaMessage } from 'kafkajs';
import { createEvent, EventTypes } from '@audience-hub/contracts';
import { ChangelogConsumer } from '@audience-hub/messaging';
import { decodeIdentityLink } from './identity-replica.consumer';

const ORG = '5DC5123F5245B1D20A490D46@AdobeOrg';
const ECID = '1'.repeat(38);
const KEY = `${ORG}:visitor/${ECID}`;
const link = (data: Record<string, unknown> = {}, aggregateId = `visitor/${ECID}`) =>
  createEvent({
    type: EventTypes.idrecIdentityLinked,
    source: '/test',
    orgId: ORG,
    aggregateId,
    data: { dataSourceId: 'visitor', idType: 'visitor', xcId: ECID, recipientId: 'r1', ...data } as never,
  });
const message = (key: string, value: unknown): KafkaMessage =>
  ({ key: Buffer.from(key), value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), offset: '0' }) as KafkaMessage;

describe('decodeIdentityLink', () => {
  it('reads a link and a tombstone', () => {
    expect(decodeIdentityLink(message(KEY, link({ observedAt: '2026-01-01T00:00:00Z' })))).toEqual({
      ok: true,
      key: KEY,
      value: { recipientId: 'r1', observedAt: '2026-01-01T00:00:00Z' },
    });
    expect(decodeIdentityLink(message(KEY, null))).toEqual({ ok: true, key: KEY, value: null });
  });

  it('refuses a key that names no org, data source and XC id', () => {
    expect(decodeIdentityLink(message(`${ORG}:no-slash`, null))).toMatchObject({ ok: false, reason: 'key is not "<orgid>:<dataSourceId>/<xcId>"' });
  });

  it('refuses invalid data, naming the event for its producer', () => {
    const bad = link({ xcId: 'not-an-ecid' });
    expect(decodeIdentityLink(message(KEY, bad))).toMatchObject({ ok: false, orgId: ORG, eventId: bad.id, eventType: EventTypes.idrecIdentityLinked });
    expect(decodeIdentityLink(message(KEY, '{not json'))).toMatchObject({ ok: false, reason: 'value is not JSON' });
  });

  it('refuses a link whose data or partition key is not its Kafka key', () => {
    const other = '2'.repeat(38);
    expect(decodeIdentityLink(message(KEY, link({ xcId: other })))).toMatchObject({ ok: false, errors: [expect.stringMatching(/^data\.xcId: /)] });
    expect(decodeIdentityLink(message(KEY, link({}, `visitor/${other}`)))).toMatchObject({ ok: false, errors: [expect.stringMatching(/^partitionkey: /)] });
  });
});

describe('ChangelogConsumer.latestPerKey', () => {
  it('keeps the latest record of each key, in the order of the latest records', () => {
    const records = [
      { key: 'a', value: 1, offset: '1' },
      { key: 'b', value: 2, offset: '2' },
      { key: 'a', value: null, offset: '3' },
      { key: 'c', value: 4, offset: '4' },
    ];
    expect(ChangelogConsumer.latestPerKey(records).map((r) => r.offset)).toEqual(['2', '3', '4']);
  });
});
