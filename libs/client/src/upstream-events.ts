import { createHash } from 'node:crypto';
import {
  chunksOf,
  createEvent,
  EventTypes,
  MAX_CHUNK_IDS,
  TOPIC_INFO,
  topicOfEventType,
  validateEventData,
  type EventDataOf,
  type EventType,
  type HubEventOf,
  type IdType,
} from '@audience-hub/contracts';

/** The event types Campaign and XC publish (their topics' producers), the only ones an upstream client sends. */
export type UpstreamEventType = {
  [T in EventType]: T extends `campaign.${'recipient' | 'visitor' | 'list' | 'shared-audience.update-requested'}${string}` ? T : T extends `xc.audience.${string}` ? T : never;
}[EventType];

export function isUpstreamEventType(type: EventType): type is UpstreamEventType {
  return TOPIC_INFO[topicOfEventType(type)].producers.some((producer) => producer === 'Campaign' || producer === 'XC');
}

/**
 * A UUID derived from `parts`, so sending the same thing again (a retried send, a rerun of the same
 * snapshot) carries the same event id and the consumers' inboxes drop the copy. Shaped as a version
 * 5 UUID (SHA-256 truncated, version and variant bits set) to pass the envelope's UUID check.
 */
export function stableEventId(...parts: string[]): string {
  const bytes = createHash('sha256').update(parts.join('\u0000')).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface MembershipChunk {
  part: number;
  lastPart: boolean;
  added: string[];
  removed: string[];
}

/** Splits added then removed ids into chunks of at most `max` ids in all (at least one chunk, empty for an empty snapshot). */
export function membershipChunks(added: readonly string[], removed: readonly string[], max: number = MAX_CHUNK_IDS): MembershipChunk[] {
  const all = [...added.map((id) => ['added', id] as const), ...removed.map((id) => ['removed', id] as const)];
  const chunks: MembershipChunk[] = [];
  for (let start = 0; start === 0 || start < all.length; start += max) {
    const slice = all.slice(start, start + max);
    chunks.push({
      part: chunks.length,
      lastPart: start + max >= all.length,
      added: slice.filter(([kind]) => kind === 'added').map(([, id]) => id),
      removed: slice.filter(([kind]) => kind === 'removed').map(([, id]) => id),
    });
  }
  return chunks;
}

/** Splits ids into runs of at most `max` (libs/contracts'). */
export { chunksOf };

export interface UpstreamEventInput<T extends UpstreamEventType> {
  type: T;
  orgId: string;
  /** The aggregate (audience, list, recipient ...): the partition key's second half, ordering per aggregate. */
  aggregateId: string;
  data: EventDataOf<T>;
  /** What makes this event the same event when sent again; the event id is derived from it. Random when absent. */
  idempotencyKey?: string;
  /** The sender's W3C trace context: the hub's spans of this event join the sender's trace. */
  traceparent?: string;
}

/**
 * A valid CloudEvents envelope (createEvent: `partitionkey` "<orgid>:<aggregate>") with its data
 * checked against the contract; throws EventDataValidationError naming every bad field.
 */
export function upstreamEvent<T extends UpstreamEventType>(source: string, input: UpstreamEventInput<T>): HubEventOf<T> {
  if (!isUpstreamEventType(input.type)) throw new Error(`${String(input.type)} is not an event Campaign or XC publishes`);
  const data = validateEventData(input.type, input.data);
  const id = input.idempotencyKey === undefined ? undefined : stableEventId(input.type, input.orgId, input.aggregateId, input.idempotencyKey);
  return createEvent({ type: input.type, source, orgId: input.orgId, aggregateId: input.aggregateId, data, id, traceparent: input.traceparent });
}

export interface AudienceSnapshot {
  orgId: string;
  audienceId: string;
  /** XC's snapshot id: the event ids derive from it, so republishing a snapshot is harmless. */
  snapshotId: string;
  mode: 'full' | 'delta';
  idType: IdType;
  /** Required for declared ids. */
  dataSourceId?: string;
  added: readonly string[];
  removed?: readonly string[];
  /** XC's trace context, carried by every part. */
  traceparent?: string;
}

/** An XC audience snapshot as `xc.audience.members` events, in parts of at most MAX_CHUNK_IDS ids. */
export function audienceMembersEvents(source: string, snapshot: AudienceSnapshot): Array<HubEventOf<typeof EventTypes.xcAudienceMembers>> {
  return membershipChunks(snapshot.added, snapshot.removed ?? []).map((chunk) =>
    upstreamEvent(source, {
      type: EventTypes.xcAudienceMembers,
      orgId: snapshot.orgId,
      aggregateId: snapshot.audienceId,
      idempotencyKey: `${snapshot.snapshotId}/${chunk.part}`,
      traceparent: snapshot.traceparent,
      data: {
        audienceId: snapshot.audienceId,
        snapshotId: snapshot.snapshotId,
        mode: snapshot.mode,
        idType: snapshot.idType,
        ...(snapshot.dataSourceId ? { dataSourceId: snapshot.dataSourceId } : {}),
        ...chunk,
      },
    }),
  );
}

export interface ListMembershipChange {
  orgId: string;
  listId: string;
  /** Names this change (e.g. Campaign's workflow run): the event ids derive from it. */
  changeId: string;
  added?: readonly string[];
  removed?: readonly string[];
}

/** A Campaign list's membership change as `campaign.list.members-added`/`-removed` events of at most MAX_CHUNK_IDS recipients. */
export function listMembersEvents(source: string, change: ListMembershipChange) {
  const events = (type: typeof EventTypes.campaignListMembersAdded | typeof EventTypes.campaignListMembersRemoved, ids: readonly string[]) =>
    chunksOf(ids).map((recipientIds, part) =>
      upstreamEvent(source, { type, orgId: change.orgId, aggregateId: change.listId, idempotencyKey: `${change.changeId}/${part}`, data: { listId: change.listId, recipientIds } }),
    );
  return [...events(EventTypes.campaignListMembersAdded, change.added ?? []), ...events(EventTypes.campaignListMembersRemoved, change.removed ?? [])];
}
