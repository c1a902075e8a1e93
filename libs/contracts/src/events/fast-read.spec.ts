import fc from 'fast-check';
import { parseEvent, parseEventBySchemas } from '../registry';
import { Topics, type Topic } from '../topics';
import { readEventFast } from './fast-read';

const SEED = Number(process.env.HUB_PROPERTY_SEED ?? 20261206);
const RUNS = Number(process.env.HUB_UNIT_RUNS ?? 3_000);

const hex = (length: number, chars = '0123456789abcdefABCDEF') => fc.array(fc.constantFrom(...chars), { minLength: length, maxLength: length }).map((a) => a.join(''));
const digits = (length: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: length, maxLength: length }).map((a) => a.join(''));

/** A value a field may hold: mostly a valid one, else a tricky one, a near miss (one character changed, cut or added) or other JSON. */
function field(valid: fc.Arbitrary<string>, tricky: fc.Arbitrary<string> = valid): fc.Arbitrary<unknown> {
  const nearMiss = fc
    .tuple(valid, fc.nat(), fc.constantFrom('', 'x', ':', '/', '-', '0', 'Z', ' ', '\n', 'é'), fc.constantFrom('replace', 'cut', 'insert'))
    .map(([value, at, char, how]) => {
      const i = value.length === 0 ? 0 : at % value.length;
      return how === 'replace' ? value.slice(0, i) + char + value.slice(i + 1) : how === 'cut' ? value.slice(0, i) : value.slice(0, i) + char + value.slice(i);
    });
  return fc.oneof(
    { weight: 80, arbitrary: valid },
    { weight: 2, arbitrary: tricky },
    { weight: 2, arbitrary: nearMiss },
    {
      weight: 1,
      arbitrary: fc.oneof(fc.string(), fc.constant(undefined), fc.constant(null), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 })),
    },
  );
}

const two = (n: number) => String(n).padStart(2, '0');
const uuid = fc.oneof(fc.uuid(), fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'));
const anyUuidShape = fc
  .tuple(hex(8), hex(4), fc.constantFrom(...'0123456789'), hex(3), fc.constantFrom(...'0123456789abcdefAB'), hex(3), hex(12))
  .map(([a, b, v, c, w, d, e]) => `${a}-${b}-${v}${c}-${w}${d}-${e}`);
const dateTime = fc
  .tuple(
    fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
    fc.constantFrom('Z', '+00:00', '-05:30', '+23:59'),
    fc.boolean(),
  )
  .map(([d, offset, millis]) => (millis ? d.toISOString() : d.toISOString().slice(0, 19) + 'Z').replace(/Z$/, offset));
const anyDateTimeShape = fc.oneof(
  fc
    .tuple(
      digits(4),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 60 }),
    )
    .chain(([y, mo, d, h, mi, s]) =>
      fc
        .tuple(fc.constantFrom('', '.5', '.123456789', '.'), fc.constantFrom('Z', '+00:00', '-05:30', '+23:59', '+24:00', 'z', '+0100', ''))
        .map(([fraction, offset]) => `${y}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}${fraction}${offset}`),
    ),
  fc.constantFrom('2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2000-02-29T12:00:00+01:00', '1900-02-29T00:00:00Z', '2026-12-06T10:00:00'),
);
const orgId = hex(24, '0123456789ABCDEF').map((h) => `${h}@AdobeOrg`);
const entityId = fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/);
const badEntityId = fc.constantFrom('a'.repeat(65), '', 'a b', 'é');
const declaredId = fc.string({ minLength: 1, maxLength: 20 }).filter((id) => !id.includes(':'));
const badXcId = fc.oneof(digits(37), digits(39), fc.constantFrom('', 'a:b', 'x'.repeat(256), 'x'.repeat(257)), declaredId);
const traceparent = fc.tuple(hex(32, '0123456789abcdef'), hex(16, '0123456789abcdef'), hex(2, '0123456789abcdef')).map(([t, s, f]) => `00-${t}-${s}-${f}`);

const ecid = digits(38);
const badEcid = fc.oneof(digits(37), digits(39), fc.constantFrom('', 'x'.repeat(38)));
const attributeValue = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const badAttributeValue = fc.oneof(fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const attributeName = fc.oneof(fc.string(), fc.constantFrom('email', 'crmId', '__proto__', 'constructor', 'toString', ''));

/** One event type's `data`: valid, a field away, or other JSON; with the aggregate its partition key names. */
const dataOf: Record<string, fc.Arbitrary<{ aggregate: unknown; data: unknown }>> = {
  'idrec.identity.linked': fc.constantFrom('visitor', 'declared').chain((idType) =>
    fc
      .record(
        {
          dataSourceId: field(entityId, badEntityId),
          idType: field(fc.constant(idType), fc.constant('Visitor')),
          xcId: field(idType === 'declared' ? declaredId : digits(38), badXcId),
          recipientId: field(entityId, badEntityId),
          observedAt: field(dateTime, anyDateTimeShape),
          extra: fc.jsonValue({ maxDepth: 1 }),
        },
        { requiredKeys: ['dataSourceId', 'idType', 'xcId', 'recipientId'] },
      )
      .map((data) => ({ aggregate: `${String(data.dataSourceId)}/${String(data.xcId)}`, data })),
  ),
  'campaign.recipient.upserted': fc
    .record(
      {
        recipientId: field(entityId, badEntityId),
        attributes: fc.oneof(
          { weight: 30, arbitrary: fc.dictionary(attributeName, attributeValue, { maxKeys: 6 }) },
          { weight: 2, arbitrary: fc.dictionary(attributeName, fc.oneof(attributeValue, badAttributeValue), { minKeys: 1, maxKeys: 3 }) },
          { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.string()) },
        ),
        extra: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: ['recipientId', 'attributes'] },
    )
    .map((data) => ({ aggregate: data.recipientId, data })),
  'campaign.visitor.observed': fc
    .record(
      {
        recipientId: field(entityId, badEntityId),
        ecid: field(ecid, badEcid),
        observedAt: field(dateTime, anyDateTimeShape),
        channel: field(fc.string({ minLength: 1, maxLength: 64 }), fc.constantFrom('', 'x'.repeat(65), 'é'.repeat(64))),
        extra: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: ['recipientId', 'ecid', 'observedAt', 'channel'] },
    )
    .map((data) => ({ aggregate: data.recipientId, data })),
};
const TOPIC_OF: Record<string, Topic> = {
  'idrec.identity.linked': Topics.idrecIdentityLinks,
  'campaign.recipient.upserted': Topics.campaignRecipients,
  'campaign.visitor.observed': Topics.campaignVisitorObservations,
};

/** Events of a hot type that are valid or a field or a few away from it, through JSON (as a consumer gets them). */
const candidate = (type: string) =>
  fc
    .record({
      orgid: field(
        orgId,
        hex(24).map((h) => `${h}@AdobeOrg`),
      ),
      body: fc.oneof({ weight: 30, arbitrary: dataOf[type] }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }).map((data) => ({ aggregate: 'a', data })) }),
      keyed: field(fc.constant('same'), fc.constantFrom('empty', 'other org')),
    })
    .chain(({ orgid, body, keyed }) =>
      fc.record(
        {
          specversion: field(fc.constant('1.0'), fc.constant('1.1')),
          id: field(uuid, anyUuidShape),
          source: field(fc.constantFrom('/campaign', '/audience-hub/id-reconciliation', 'x'), fc.constant('')),
          type: field(fc.constant(type), fc.constantFrom(...Object.keys(dataOf), 'campaign.recipient.deleted', 'idrec.data-source.upserted', '')),
          time: field(dateTime, anyDateTimeShape),
          datacontenttype: field(fc.constant('application/json'), fc.constant('text/json')),
          orgid: fc.constant(orgid),
          partitionkey: fc.constant(keyed === 'same' ? `${String(orgid)}:${String(body.aggregate)}` : keyed === 'empty' ? `${String(orgid)}:` : `X${String(orgid)}:a`),
          traceparent: field(traceparent, fc.constant('00-00-00-00')),
          extra: fc.jsonValue({ maxDepth: 1 }),
          data: fc.constant(body.data),
        },
        { requiredKeys: ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'orgid', 'partitionkey', 'data'] },
      ),
    )
    .map((event) => JSON.parse(JSON.stringify(event)) as unknown);

describe('readEventFast', () => {
  it.each(Object.keys(dataOf))('reads %s events exactly as the schemas do, and every valid one', (type) => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.oneof({ weight: 19, arbitrary: candidate(type) }, { weight: 1, arbitrary: fc.jsonValue() }),
        fc.constantFrom(TOPIC_OF[type], TOPIC_OF[type], TOPIC_OF[type], Topics.campaignLists, 'not.a.topic'),
        (raw, topic) => {
          const bySchemas = parseEventBySchemas(topic, raw);
          // parseEvent takes the fast path where it can: the same result, valid or not.
          expect(parseEvent(topic, raw)).toEqual(bySchemas);
          if (bySchemas.ok) {
            accepted++;
            // Every valid event of a hot type is read fast, but an upsert with a `__proto__` attribute (left to the schema).
            const protoAttribute = bySchemas.event.type === 'campaign.recipient.upserted' && JSON.stringify(raw).includes('"__proto__"');
            if (bySchemas.event.type in dataOf && !protoAttribute) expect(readEventFast(raw)).toEqual(bySchemas.event);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    // Both sides are exercised: a fair share of the candidates is valid.
    expect(accepted).toBeGreaterThan(RUNS / 10);
  });
});
