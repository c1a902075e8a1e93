import { EXAMPLE_ORG_ID, exampleData, exampleEcid, exampleEvent } from './examples';
import { type EventType, EventTypes } from './event-types';
import { MAX_CHUNK_IDS } from './limits';
import { ALL_EVENT_TYPES, EventDataValidationError, eventTypesOf, parseEvent, topicOfEventType, validateEventData } from './registry';
import { ALL_TOPICS, Topics } from './topics';
import { parseIdentityLinkKey } from './events/idrec-identities.schema';

const failure = (topic: string, raw: unknown) => {
  const result = parseEvent(topic, raw);
  if (result.ok) throw new Error(`expected ${topic} to reject ${JSON.stringify(raw).slice(0, 200)}`);
  return result;
};

describe('registry', () => {
  it('registers every EventTypes entry, and every topic but the dead-letter one has types', () => {
    expect([...ALL_EVENT_TYPES].sort()).toEqual(Object.values(EventTypes).sort());
    for (const topic of ALL_TOPICS) {
      expect(eventTypesOf(topic).length > 0).toBe(topic !== Topics.hubDeadLetter);
    }
    expect(eventTypesOf(Topics.campaignLists)).toEqual(['campaign.list.created', 'campaign.list.members-added', 'campaign.list.members-removed', 'campaign.list.deleted']);
    expect(eventTypesOf('no.such.topic')).toEqual([]);
    expect(topicOfEventType('idrec.identity.linked')).toBe('idrec.identity-links.v1');
  });

  it.each(ALL_EVENT_TYPES.map((type) => [type]))('accepts a valid %s on its topic', (type: EventType) => {
    const event = exampleEvent(type);
    const result = parseEvent(topicOfEventType(type), JSON.parse(JSON.stringify(event)));
    expect(result).toEqual({ ok: true, event });
    expect(validateEventData(type, event.data)).toEqual(event.data);
  });
});

describe('parseEvent rejects, with readable errors', () => {
  it('an unknown topic', () => {
    expect(failure('nope.v1', exampleEvent('campaign.list.created')).reason).toBe('unknown topic "nope.v1"');
  });

  it('a missing orgid', () => {
    const { orgid: _omitted, ...event } = exampleEvent('campaign.list.created');
    const result = failure(Topics.campaignLists, event);
    expect(result.errors).toEqual(['orgid: Required']);
    expect(result.reason).toBe('invalid envelope: orgid: Required');
  });

  it('a malformed orgid', () => {
    const result = failure(Topics.campaignLists, exampleEvent('campaign.list.created', { orgid: 'acme', partitionkey: 'acme:list-1' }));
    expect(result.errors).toEqual(['orgid: IMS org id must be 24 upper-case hex characters followed by "@AdobeOrg"']);
  });

  it('a partitionkey that does not start with the orgid', () => {
    const event = exampleEvent('campaign.list.created', { partitionkey: '111111111111111111111111@AdobeOrg:list-1' });
    expect(failure(Topics.campaignLists, event).errors).toEqual([`partitionkey: partitionkey must be "<orgid>:<aggregate id>" and start with "${EXAMPLE_ORG_ID}:"`]);
    expect(failure(Topics.campaignLists, { ...event, partitionkey: `${EXAMPLE_ORG_ID}:` }).ok).toBe(false);
  });

  it('a non-uuid id, a bad time and a bad traceparent', () => {
    const event = exampleEvent('campaign.list.created', { id: '42', time: '2024-05-01', traceparent: 'abc' });
    expect(failure(Topics.campaignLists, event).errors).toEqual([
      'id: id must be a UUID',
      'time: time must be an ISO 8601 date-time with an offset, e.g. 2024-05-01T10:00:00Z',
      'traceparent: traceparent must be W3C "00-<32 hex>-<16 hex>-<2 hex>"',
    ]);
  });

  it('something that is not an event', () => {
    expect(failure(Topics.campaignLists, 'hello').errors).toEqual([expect.stringMatching(/^\(event\): .*expected object/)]);
    expect(failure(Topics.campaignLists, {}).errors).toContain('specversion: Required');
    expect(failure(Topics.campaignLists, { ...exampleEvent('campaign.list.created'), specversion: '0.3' }).errors).toEqual(['specversion: specversion must be "1.0"']);
  });

  it('an unknown type', () => {
    const event = { ...exampleEvent('campaign.list.created'), type: 'campaign.list.renamed' };
    const result = failure(Topics.campaignLists, event);
    expect(result.reason).toBe('unknown event type "campaign.list.renamed"');
    expect(result.errors).toEqual(['type: "campaign.list.renamed" is not a registered event type']);
  });

  it('a type on the wrong topic', () => {
    const result = failure(Topics.xcAudiences, exampleEvent('campaign.list.created'));
    expect(result.errors).toEqual(['type: "campaign.list.created" belongs to topic campaign.lists.v1, not xc.audiences.v1']);
  });

  it('a missing data field', () => {
    const event = exampleEvent('campaign.list.created');
    const result = failure(Topics.campaignLists, { ...event, data: { label: 'x' } });
    expect(result.errors).toEqual(['data.listId: Required']);
    expect(result.reason).toBe('invalid data for campaign.list.created: data.listId: Required');
  });

  it('a malformed ECID, with its index', () => {
    const event = exampleEvent('xc.audience.members', { data: { added: [exampleEcid(1), exampleEcid(2), exampleEcid(3), '123'] } });
    expect(failure(Topics.xcAudiences, event).errors).toEqual(['data.added[3]: ECID must be exactly 38 decimal digits']);
  });

  it('a declared id with ":" and a declared chunk without dataSourceId', () => {
    const event = exampleEvent('xc.audience.members', { data: { idType: 'declared', added: ['crm-1'], removed: ['crm:2'] } });
    expect(failure(Topics.xcAudiences, event).errors).toEqual([
      "data.dataSourceId: dataSourceId is required when idType is 'declared'",
      'data.removed[0]: declared ID must not contain ":"',
    ]);
  });

  it('bounds the number of reported bad ids', () => {
    const event = exampleEvent('xc.shared-audience.members-changed', { data: { added: Array.from({ length: 25 }, (_, i) => `bad-${i}`) } });
    const { errors } = failure(Topics.xcCampaignAudiences, event);
    expect(errors).toHaveLength(11);
    expect(errors[10]).toBe('data.added: 15 more invalid ids not listed');
  });

  it('an oversize chunk (10,001 ids)', () => {
    const added = Array.from({ length: MAX_CHUNK_IDS }, (_, i) => exampleEcid(i));
    const event = exampleEvent('xc.audience.members', { data: { added, removed: [exampleEcid(MAX_CHUNK_IDS)] } });
    expect(failure(Topics.xcAudiences, event).errors).toEqual(['data: chunk holds 10001 ids; at most 10000 per event']);
    expect(parseEvent(Topics.xcAudiences, exampleEvent('xc.audience.members', { data: { added } })).ok).toBe(true);

    const recipients = Array.from({ length: MAX_CHUNK_IDS + 1 }, (_, i) => `rcp-${i}`);
    const members = exampleEvent('campaign.imported-list.members-changed', { data: { added: recipients } });
    expect(failure(Topics.campaignImports, members).errors).toEqual(['data: chunk holds 10001 ids; at most 10000 per event']);
    const list = exampleEvent('campaign.list.members-added', { data: { recipientIds: recipients } });
    expect(failure(Topics.campaignLists, list).errors).toEqual(['data.recipientIds: recipientIds holds too many ids; at most 10000 per event']);
  });

  it('a bad label', () => {
    const event = exampleEvent('xc.audience.published', { data: { labels: ['C1', 'C13'] as never } });
    expect(failure(Topics.xcAudiences, event).errors).toEqual(['data.labels[1]: data-usage label must be one of C1..C12, I1, I2, S1, S2']);
  });

  it('an update request with both or neither of sharedAudienceId and segmentName', () => {
    const both = exampleEvent('campaign.shared-audience.update-requested', { data: { sharedAudienceId: 'sa-1' } });
    expect(failure(Topics.campaignSharedAudienceRequests, both).errors).toEqual(['data: exactly one of sharedAudienceId or segmentName is required']);
    const data = exampleData('campaign.shared-audience.update-requested');
    delete data.segmentName;
    expect(() => validateEventData('campaign.shared-audience.update-requested', data)).toThrow('exactly one of sharedAudienceId or segmentName is required');
  });

  it('an identity link whose xcId does not match its idType', () => {
    const event = exampleEvent('idrec.identity.linked', { data: { xcId: 'crm-1' } });
    expect(failure(Topics.idrecIdentityLinks, event).errors).toEqual(['data.xcId: ECID must be exactly 38 decimal digits']);
  });

  it('identity-link keys read back, with ":" and "/" inside the XC id', () => {
    expect(parseIdentityLinkKey(`${EXAMPLE_ORG_ID}:crm:v2/a/b:c`)).toEqual({ orgId: EXAMPLE_ORG_ID, dataSourceId: 'crm:v2', xcId: 'a/b:c' });
    for (const bad of ['', 'no-colon', `${EXAMPLE_ORG_ID}:no-slash`, `${EXAMPLE_ORG_ID}:/x`, `${EXAMPLE_ORG_ID}:ds/`, ':ds/x']) {
      expect(parseIdentityLinkKey(bad)).toBeUndefined();
    }
  });

  it('a multi-line rejection reason and an out-of-range match rate', () => {
    const rejected = exampleEvent('hub.event.rejected', { data: { reason: 'a\nb' } });
    expect(failure(Topics.hubRejections, rejected).errors).toEqual(['data.reason: reason must be a single line']);
    const completed = exampleEvent('campaign.import.completed', { data: { matchRate: 1.5 } });
    expect(failure(Topics.campaignImports, completed).errors).toEqual(['data.matchRate: matchRate must be between 0 and 1']);
  });
});

describe('validateEventData', () => {
  it('throws a readable error listing every problem', () => {
    const attempt = () => validateEventData('campaign.visitor.observed', { recipientId: 'rcp 1', ecid: '12' });
    expect(attempt).toThrow(EventDataValidationError);
    expect(attempt).toThrow('invalid data for campaign.visitor.observed: data.recipientId: id must be 1..64 characters of A-Z a-z 0-9 . _ : - (+3 more)');
    try {
      attempt();
    } catch (error) {
      expect((error as EventDataValidationError).errors).toEqual([
        'data.recipientId: id must be 1..64 characters of A-Z a-z 0-9 . _ : -',
        'data.ecid: ECID must be exactly 38 decimal digits',
        'data.observedAt: Required',
        'data.channel: Required',
      ]);
    }
  });

  it('rejects an unregistered type', () => {
    expect(() => validateEventData('campaign.list.renamed' as EventType, {})).toThrow('not a registered event type');
  });
});
