import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ImsOrgIdSchema } from './ids.schema';
import type { EventType } from './event-types';
import type { EventDataOf } from './registry';
import { unlessMissing } from './error-message';

// CloudEvents 1.0, structured JSON mode, with the hub's extensions (DESIGN.md section 3).

export const TRACEPARENT_PATTERN = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The envelope of every hub event; `data` is checked separately, against its type's schema. */
export const HubEnvelopeSchema = z
  .object({
    specversion: z.literal('1.0', { error: unlessMissing('specversion must be "1.0"') }),
    id: z.uuid({ error: unlessMissing('id must be a UUID') }),
    source: z.string().min(1, 'source must not be empty').describe("producer, e.g. '/audience-hub/audience-export' or '/campaign'"),
    type: z.string().min(1, 'type must not be empty').describe('a registered event type of this topic'),
    time: z.iso.datetime({ offset: true, error: unlessMissing('time must be an ISO 8601 date-time with an offset, e.g. 2024-05-01T10:00:00Z') }),
    datacontenttype: z.literal('application/json', { error: unlessMissing('datacontenttype must be "application/json"') }),
    data: z.unknown().describe("the type's data, below"),
    orgid: ImsOrgIdSchema,
    // Also the Kafka key, so one aggregate's events stay ordered on one partition.
    partitionkey: z.string().min(1, 'partitionkey must not be empty').describe('"<orgid>:<aggregate id>", also the Kafka key'),
    traceparent: z.string().regex(TRACEPARENT_PATTERN, 'traceparent must be W3C "00-<32 hex>-<16 hex>-<2 hex>"').describe('W3C trace context').optional(),
  })
  .superRefine((event, ctx) => {
    const prefix = `${event.orgid}:`;
    if (!event.partitionkey.startsWith(prefix) || event.partitionkey.length === prefix.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['partitionkey'],
        message: `partitionkey must be "<orgid>:<aggregate id>" and start with "${prefix}"`,
      });
    }
  });

export interface HubEvent<TType extends string = string, TData = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: TType;
  time: string;
  datacontenttype: 'application/json';
  data: TData;
  orgid: string;
  partitionkey: string;
  traceparent?: string;
}

/** A registered event type's full event, e.g. `HubEventOf<'campaign.list.created'>`. */
export type HubEventOf<T extends EventType> = HubEvent<T, EventDataOf<T>>;

export interface CreateEventInput<T extends EventType> {
  type: T;
  /** URI-reference of the producer, e.g. `/audience-hub/audience-export` or `/campaign`. */
  source: string;
  orgId: string;
  /** The aggregate the event is about (list id, audience id ...); ordering is per aggregate. */
  aggregateId: string;
  data: EventDataOf<T>;
  traceparent?: string;
  id?: string;
  time?: string | Date;
}

/**
 * Builds an event with id, time, specversion, datacontenttype and partitionkey filled in.
 * It does not validate: producers call `validateEventData` (or rely on their tests) first.
 */
export function createEvent<T extends EventType>(input: CreateEventInput<T>): HubEventOf<T> {
  const { time } = input;
  const event: HubEventOf<T> = {
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    source: input.source,
    type: input.type,
    time: time instanceof Date ? time.toISOString() : (time ?? new Date().toISOString()),
    datacontenttype: 'application/json',
    data: input.data,
    orgid: input.orgId,
    partitionkey: partitionKeyOf(input.orgId, input.aggregateId),
  };
  if (input.traceparent !== undefined) event.traceparent = input.traceparent;
  return event;
}

export const partitionKeyOf = (orgId: string, aggregateId: string): string => `${orgId}:${aggregateId}`;
