import type { z } from 'zod';
import { HubEnvelopeSchema, type HubEvent } from './envelope.schema';
import { type EventType, EventTypes } from './event-types';
import * as imports from './events/campaign-imports.schema';
import * as lists from './events/campaign-lists.schema';
import * as recipients from './events/campaign-recipients.schema';
import * as requests from './events/campaign-shared-audience-requests.schema';
import * as results from './events/campaign-shared-audience-results.schema';
import * as visitors from './events/campaign-visitor-observations.schema';
import * as audit from './events/hub-audit.schema';
import * as privacy from './events/hub-privacy.schema';
import * as rejections from './events/hub-rejections.schema';
import * as identities from './events/idrec-identities.schema';
import * as dataSources from './events/idrec-data-sources.schema';
import * as ims from './events/ims-events.schema';
import * as xcAudiences from './events/xc-audiences.schema';
import * as xcShared from './events/xc-campaign-audiences.schema';
import { isTopic, type Topic, Topics } from './topics';
import { formatIssues, parseParams, summarize } from './validation-errors';
import { readEventFast } from './events/fast-read';

export interface EventRegistration {
  topic: Topic;
  schema: z.ZodType;
}

const on = <T extends Topic, S extends z.ZodType>(topic: T, schema: S) => ({ topic, schema });

/** Every event type: the topic it travels on and the schema of its `data`. */
export const EVENT_REGISTRY = {
  [EventTypes.campaignRecipientUpserted]: on(Topics.campaignRecipients, recipients.RecipientUpsertedDataSchema),
  [EventTypes.campaignRecipientDeleted]: on(Topics.campaignRecipients, recipients.RecipientDeletedDataSchema),
  [EventTypes.campaignVisitorObserved]: on(Topics.campaignVisitorObservations, visitors.VisitorObservedDataSchema),
  [EventTypes.campaignListCreated]: on(Topics.campaignLists, lists.ListCreatedDataSchema),
  [EventTypes.campaignListMembersAdded]: on(Topics.campaignLists, lists.ListMembersChangedDataSchema),
  [EventTypes.campaignListMembersRemoved]: on(Topics.campaignLists, lists.ListMembersChangedDataSchema),
  [EventTypes.campaignListDeleted]: on(Topics.campaignLists, lists.ListDeletedDataSchema),
  [EventTypes.campaignSharedAudienceUpdateRequested]: on(Topics.campaignSharedAudienceRequests, requests.SharedAudienceUpdateRequestedDataSchema),
  [EventTypes.xcAudiencePublished]: on(Topics.xcAudiences, xcAudiences.AudiencePublishedDataSchema),
  [EventTypes.xcAudienceMembers]: on(Topics.xcAudiences, xcAudiences.AudienceMembersDataSchema),
  [EventTypes.xcAudienceWithdrawn]: on(Topics.xcAudiences, xcAudiences.AudienceWithdrawnDataSchema),
  [EventTypes.xcSharedAudienceDefined]: on(Topics.xcCampaignAudiences, xcShared.SharedAudienceDefinedDataSchema),
  [EventTypes.xcSharedAudienceMembersChanged]: on(Topics.xcCampaignAudiences, xcShared.SharedAudienceMembersChangedDataSchema),
  [EventTypes.campaignImportedListMembersChanged]: on(Topics.campaignImports, imports.ImportedListMembersChangedDataSchema),
  [EventTypes.campaignImportCompleted]: on(Topics.campaignImports, imports.ImportOutcomeDataSchema),
  [EventTypes.campaignImportFailed]: on(Topics.campaignImports, imports.ImportOutcomeDataSchema),
  [EventTypes.campaignImportDenied]: on(Topics.campaignImports, imports.ImportOutcomeDataSchema),
  [EventTypes.campaignSharedAudienceUpdateCompleted]: on(Topics.campaignSharedAudienceResults, results.SharedAudienceUpdateCompletedDataSchema),
  [EventTypes.idrecIdentityLinked]: on(Topics.idrecIdentityLinks, identities.IdentityLinkDataSchema),
  [EventTypes.idrecDataSourceUpserted]: on(Topics.idrecDataSources, dataSources.DataSourceUpsertedDataSchema),
  [EventTypes.idrecDataSourceDeleted]: on(Topics.idrecDataSources, dataSources.DataSourceDeletedDataSchema),
  [EventTypes.imsOrgCreated]: on(Topics.imsEvents, ims.OrgCreatedDataSchema),
  [EventTypes.imsTechnicalAccountRevoked]: on(Topics.imsEvents, ims.TechnicalAccountRevokedDataSchema),
  [EventTypes.imsSigningKeyRotated]: on(Topics.imsEvents, ims.SigningKeyRotatedDataSchema),
  [EventTypes.hubEventRejected]: on(Topics.hubRejections, rejections.EventRejectedDataSchema),
  [EventTypes.hubAuditRecorded]: on(Topics.hubAudit, audit.AuditRecordedDataSchema),
  [EventTypes.hubPrivacyRequested]: on(Topics.hubPrivacy, privacy.PrivacyRequestedDataSchema),
  [EventTypes.hubPrivacyReceipt]: on(Topics.hubPrivacy, privacy.PrivacyReceiptDataSchema),
} as const satisfies Record<EventType, EventRegistration>;

type Registry = typeof EVENT_REGISTRY;
type EventDataShape = { [K in EventType]: z.output<Registry[K]['schema']> };

/** The `data` of every event type, keyed by type name. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EventDataMap extends EventDataShape {}

export type EventDataOf<T extends EventType> = EventDataMap[T];
/** The event types that travel on topic `T`. */
export type EventTypeOn<T extends Topic> = { [K in EventType]: Registry[K]['topic'] extends T ? K : never }[EventType];
/** Any registered event, discriminated by `type`. */
export type AnyHubEvent = { [K in EventType]: HubEvent<K, EventDataOf<K>> }[EventType];
/** Any event of topic `T`, discriminated by `type`. */
export type HubEventOn<T extends Topic> = Extract<AnyHubEvent, { type: EventTypeOn<T> }>;

export const ALL_EVENT_TYPES: readonly EventType[] = Object.freeze(Object.keys(EVENT_REGISTRY) as EventType[]);

export const isEventType = (value: unknown): value is EventType => typeof value === 'string' && Object.prototype.hasOwnProperty.call(EVENT_REGISTRY, value);

export const topicOfEventType = <T extends EventType>(type: T): Registry[T]['topic'] => EVENT_REGISTRY[type].topic;

/** The event types registered on `topic` (none for an unknown topic or the dead-letter topic). */
export function eventTypesOf<T extends Topic>(topic: T): readonly EventTypeOn<T>[];
export function eventTypesOf(topic: string): readonly string[];
export function eventTypesOf(topic: string): readonly string[] {
  return ALL_EVENT_TYPES.filter((type) => EVENT_REGISTRY[type].topic === topic);
}

export type ParseEventResult<E> = { ok: true; event: E } | { ok: false; reason: string; errors: string[] };

/**
 * What a consumer does with each Kafka value: checks the envelope, that the type is registered
 * and travels on `topic`, then its data. A failure carries a one-line reason (for the DLQ)
 * and every error as `path: message`.
 * The hot types' valid events skip zod (readEventFast gives what the schemas would).
 */
export function parseEvent<T extends string>(topic: T, raw: unknown): ParseEventResult<T extends Topic ? HubEventOn<T> : AnyHubEvent> {
  const fast = readEventFast(raw);
  if (fast && EVENT_REGISTRY[fast.type as EventType].topic === topic) return { ok: true, event: fast as T extends Topic ? HubEventOn<T> : AnyHubEvent };
  return parseEventBySchemas(topic, raw);
}

/** parseEvent by the schemas alone (what readEventFast's property test compares it with). */
export function parseEventBySchemas<T extends string>(topic: T, raw: unknown): ParseEventResult<T extends Topic ? HubEventOn<T> : AnyHubEvent> {
  type Event = T extends Topic ? HubEventOn<T> : AnyHubEvent;
  type Result = ParseEventResult<Event>;
  const fail = (reason: string, errors: string[]): Result => ({ ok: false, reason, errors });

  if (!isTopic(topic)) return fail(`unknown topic "${topic}"`, [`topic: "${topic}" is not a hub topic`]);
  const envelope = HubEnvelopeSchema.safeParse(raw, parseParams);
  if (!envelope.success) {
    const errors = formatIssues(envelope.error.issues);
    return fail(summarize('invalid envelope', errors), errors);
  }

  const { type } = envelope.data;
  if (!isEventType(type)) return fail(`unknown event type "${type}"`, [`type: "${String(type)}" is not a registered event type`]);
  const registration: EventRegistration = EVENT_REGISTRY[type];
  if (registration.topic !== topic) {
    return fail(`event type "${type}" does not belong to topic ${topic}`, [`type: "${type}" belongs to topic ${registration.topic}, not ${topic}`]);
  }

  const data = registration.schema.safeParse(envelope.data.data, parseParams);
  if (!data.success) {
    const errors = formatIssues(data.error.issues, 'data');
    return fail(summarize(`invalid data for ${type}`, errors), errors);
  }
  return { ok: true, event: { ...envelope.data, type, data: data.data } as Event };
}

/** Thrown by `validateEventData`; `errors` holds every `path: message`. */
export class EventDataValidationError extends Error {
  constructor(
    readonly eventType: string,
    readonly errors: string[],
  ) {
    super(summarize(`invalid data for ${eventType}`, errors));
    this.name = 'EventDataValidationError';
  }
}

/** For producers, before publishing: returns the parsed data or throws a readable error. */
export function validateEventData<T extends EventType>(type: T, data: unknown): EventDataOf<T> {
  if (!isEventType(type)) throw new EventDataValidationError(type, [`type: "${String(type)}" is not a registered event type`]);
  const registration: EventRegistration = EVENT_REGISTRY[type];
  const result = registration.schema.safeParse(data, parseParams);
  if (!result.success) throw new EventDataValidationError(type, formatIssues(result.error.issues, 'data'));
  return result.data as EventDataOf<T>;
}
