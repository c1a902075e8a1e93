import { createEvent, type HubEventOf } from './envelope.schema';
import type { EventType } from './event-types';
import type { EventDataOf } from './registry';

// Valid example data and events for every event type, shared by unit, integration and e2e tests.
// Overrides replace fields shallowly (`data` is merged one level deep).

export const EXAMPLE_ORG_ID = '5DC5123F5245B1D20A490D46@AdobeOrg';
export const EXAMPLE_SOURCE = '/audience-hub/tests';
export const EXAMPLE_TIME = '2024-05-01T10:00:00.000Z';
export const EXAMPLE_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** A valid, distinct ECID for each n >= 0 (38 digits). */
export const exampleEcid = (n = 0): string => `${10 ** 17 + n}`.padStart(38, '7');

const counts = { received: 3, matched: 2, unmatched: 1, pending: 1, added: 2, removed: 0 };

const EXAMPLE_DATA: { [K in EventType]: () => EventDataOf<K> } = {
  'campaign.recipient.upserted': () => ({
    recipientId: 'rcp-1',
    attributes: { email: 'ada@example.com', crmId: 'CRM-1', age: 36, optIn: true, phone: null },
  }),
  'campaign.recipient.deleted': () => ({ recipientId: 'rcp-1' }),
  'campaign.visitor.observed': () => ({ recipientId: 'rcp-1', ecid: exampleEcid(1), observedAt: EXAMPLE_TIME, channel: 'web' }),
  'campaign.list.created': () => ({ listId: 'list-1', label: 'Newsletter subscribers' }),
  'campaign.list.members-added': () => ({ listId: 'list-1', recipientIds: ['rcp-1', 'rcp-2'] }),
  'campaign.list.members-removed': () => ({ listId: 'list-1', recipientIds: ['rcp-2'] }),
  'campaign.list.deleted': () => ({ listId: 'list-1' }),
  'campaign.shared-audience.update-requested': () => ({
    requestId: 'req-1',
    listId: 'list-1',
    segmentName: 'Campaign - Newsletter subscribers',
    dataSourceId: 'ds-visitor',
    mode: 'add-only',
  }),
  'xc.audience.published': () => ({
    audienceId: 'aud-1',
    name: 'Frequent travellers',
    solution: 'audience-manager',
    labels: ['C2', 'I1'],
  }),
  'xc.audience.members': () => ({
    audienceId: 'aud-1',
    snapshotId: 'snap-1',
    mode: 'full',
    idType: 'visitor',
    part: 0,
    lastPart: true,
    added: [exampleEcid(1), exampleEcid(2)],
    removed: [],
  }),
  'xc.audience.withdrawn': () => ({ audienceId: 'aud-1' }),
  'xc.shared-audience.defined': () => ({
    sharedAudienceId: 'sa-1',
    segmentName: 'Campaign - Newsletter subscribers',
    dataSource: { id: 'ds-visitor', name: 'Recipient - Visitor ID', idType: 'visitor', integrationCode: 'AdobeCampaignID' },
  }),
  'xc.shared-audience.members-changed': () => ({
    sharedAudienceId: 'sa-1',
    version: 1,
    idType: 'visitor',
    part: 0,
    lastPart: true,
    added: [exampleEcid(1)],
    removed: [],
  }),
  'campaign.imported-list.members-changed': () => ({
    listId: 'list-imp-1',
    importId: 'imp-1',
    part: 0,
    lastPart: true,
    added: ['rcp-1', 'rcp-2'],
    removed: [],
  }),
  'campaign.import.completed': () => ({ importId: 'imp-1', listId: 'list-imp-1', counts, matchRate: 2 / 3 }),
  'campaign.import.failed': () => ({
    importId: 'imp-1',
    listId: 'list-imp-1',
    counts: { ...counts, matched: 0, added: 0 },
    matchRate: 0,
    reason: 'id-reconciliation did not answer in time',
  }),
  'campaign.import.denied': () => ({
    importId: 'imp-1',
    listId: 'list-imp-1',
    counts: { received: 0, matched: 0, unmatched: 0, pending: 0, added: 0, removed: 0 },
    matchRate: 0,
    reason: 'label C3 forbids import-into-campaign',
    decision: { action: 'import-into-campaign', policy: 'default-import', labels: ['C3'] },
  }),
  'campaign.shared-audience.update-completed': () => ({
    requestId: 'req-1',
    sharedAudienceId: 'sa-1',
    updateId: 'upd-1',
    version: 1,
    state: 'completed',
    exported: 2,
    added: 2,
    removed: 0,
    unmapped: 1,
  }),
  'hub.privacy.requested': () => ({
    requestId: 'prv-0123456789abcdef01234567',
    type: 'delete',
    dryRun: false,
    identifiers: { recipientIds: ['rcp-2'], ecids: [exampleEcid(2)], declaredIds: [{ dataSourceId: 'ds-crm', declaredId: 'crm-2' }] },
    hashes: ['a'.repeat(64)],
    requestedAt: EXAMPLE_TIME,
  }),
  'hub.privacy.receipt': () => ({
    service: 'id-reconciliation',
    requestId: 'prv-0123456789abcdef01234567',
    counts: { recipients: 1, visitor_links: 1 },
    completedAt: EXAMPLE_TIME,
  }),
  'idrec.identity.linked': () => ({ dataSourceId: 'visitor', idType: 'visitor', xcId: exampleEcid(2), recipientId: 'rcp-2', observedAt: EXAMPLE_TIME }),
  'ims.technical-account.revoked': () => ({
    technicalAccountId: 'ta-1',
    clientId: 'client-abc123',
    revokedAt: EXAMPLE_TIME,
  }),
  'ims.signing-key.rotated': () => ({ kid: 'key-2', previousKid: 'key-1', rotatedAt: EXAMPLE_TIME }),
  'ims.org.created': () => ({ orgId: EXAMPLE_ORG_ID, name: 'Example Org', createdAt: EXAMPLE_TIME }),
  'idrec.data-source.upserted': () => ({
    dataSourceId: 'ds-crm',
    name: 'CRM id',
    idType: 'declared',
    integrationCode: 'CRMID',
    builtIn: false,
    reconciliationKey: { attribute: 'crmId', normalization: ['trim', 'lowercase'] },
    exportControls: [],
    xcDataSourceId: '123456',
  }),
  'idrec.data-source.deleted': () => ({ dataSourceId: 'ds-crm' }),
  'hub.event.rejected': () => ({
    topic: 'campaign.lists.v1',
    partition: 0,
    offset: '42',
    consumerGroup: 'audience-export',
    eventId: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
    eventType: 'campaign.list.created',
    reason: 'invalid data for campaign.list.created: data.listId: Required',
    errors: ['data.listId: Required'],
  }),
  'hub.audit.recorded': () => ({
    auditId: '0b9e8f1a-2c3d-4e5f-8a7b-6c5d4e3f2a1b',
    action: 'ims.secret.add',
    outcome: 'succeeded',
    orgId: EXAMPLE_ORG_ID,
    actor: { clientId: 'demo-admin-1a2b3c4d', orgId: EXAMPLE_ORG_ID },
    target: { technicalAccountId: 'ta-1', secretId: 'sec-1' },
    occurredAt: EXAMPLE_TIME,
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    service: 'ims',
  }),
};

/** A fresh, valid `data` for `type`. */
export function exampleData<T extends EventType>(type: T, overrides: Partial<EventDataOf<T>> = {}): EventDataOf<T> {
  const make = EXAMPLE_DATA[type] as () => EventDataOf<T>;
  return { ...make(), ...overrides };
}

export type ExampleEventOverrides<T extends EventType> = Partial<Omit<HubEventOf<T>, 'data'>> & {
  data?: Partial<EventDataOf<T>>;
  /** Aggregate id for the partition key; defaults to the data's main id. */
  aggregateId?: string;
};

/** A valid event of `type`; its partitionkey follows `orgid` unless overridden too. */
export function exampleEvent<T extends EventType>(type: T, overrides: ExampleEventOverrides<T> = {}): HubEventOf<T> {
  const { data: dataOverrides, aggregateId, ...envelope } = overrides;
  const data = exampleData(type, dataOverrides);
  const orgId = envelope.orgid ?? EXAMPLE_ORG_ID;
  const event = createEvent({
    type,
    source: EXAMPLE_SOURCE,
    orgId,
    aggregateId: aggregateId ?? mainIdOf(data),
    data,
    time: EXAMPLE_TIME,
    traceparent: EXAMPLE_TRACEPARENT,
  });
  return { ...event, ...envelope };
}

// Examples only: the first id-like field of the data makes a plausible aggregate id.
const MAIN_ID_FIELDS = ['listId', 'audienceId', 'sharedAudienceId', 'importId', 'requestId', 'recipientId', 'technicalAccountId', 'kid', 'topic'];

function mainIdOf(data: object): string {
  const record = data as Record<string, unknown>;
  const field = MAIN_ID_FIELDS.find((name) => typeof record[name] === 'string');
  return field ? String(record[field]) : 'aggregate';
}
