import type { IHeaders } from 'kafkajs';
import { DeadLetterHeaders } from '@audience-hub/contracts';
import type { DeadLetterDetail, DeadLetterView } from '@audience-hub/contracts';

export type { DeadLetterDetail, DeadLetterView };

/** One message of hub.dead-letter.v1, as read from the broker. */
export interface DeadLetterMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  timestamp: string;
}

/** Everything `toDeadLetter` reads off one message, for filtering and redrive. */
export interface DeadLetter {
  detail: DeadLetterDetail;
  consumerGroup: string | undefined;
  orgId: string | undefined;
  /** What goes back to `detail.topic` on redrive: the original key, value and headers. */
  original: { key: Buffer | null; value: Buffer | null; headers: IHeaders };
}

const DLQ_HEADERS = new Set<string>(Object.values(DeadLetterHeaders));

// Header values are strings or Buffers (kafkajs), whose toString() is their text.
// eslint-disable-next-line @typescript-eslint/no-base-to-string
const text = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : Array.isArray(value) ? value.map(String).join(',') : value.toString());

export const deadLetterId = (partition: number, offset: string): string => `${partition}-${offset}`;

export function parseDeadLetterId(id: string): { partition: number; offset: string } | undefined {
  const match = /^(\d{1,9})-(\d{1,19})$/.exec(id);
  return match ? { partition: Number(match[1]), offset: match[2] } : undefined;
}

export function toDeadLetter(message: DeadLetterMessage, logicalTopic: (physical: string) => string): DeadLetter {
  const headers = message.headers ?? {};
  const own: IHeaders = {};
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (DLQ_HEADERS.has(name) || value === undefined) continue;
    own[name] = value;
    shown[name] = text(value) ?? '';
  }
  let errors: string[] = [];
  try {
    errors = JSON.parse(text(headers[DeadLetterHeaders.errors]) ?? '[]') as string[];
  } catch {
    errors = [];
  }
  const reason = text(headers[DeadLetterHeaders.reason]) ?? '';
  const raw = message.value?.toString('utf8') ?? null;
  let event: unknown = raw;
  try {
    event = raw === null ? null : JSON.parse(raw);
  } catch {
    event = raw;
  }
  const envelope = (event && typeof event === 'object' ? event : {}) as { id?: unknown; type?: unknown; orgid?: unknown };
  const str = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    detail: {
      id: deadLetterId(message.partition, message.offset),
      topic: logicalTopic(text(headers[DeadLetterHeaders.originalTopic]) ?? ''),
      partition: Number(text(headers[DeadLetterHeaders.originalPartition]) ?? -1),
      offset: text(headers[DeadLetterHeaders.originalOffset]) ?? '',
      reason,
      firstError: errors[0] ?? reason,
      attempts: Number(text(headers[DeadLetterHeaders.attempts]) ?? 0),
      eventId: str(envelope.id),
      eventType: str(envelope.type),
      deadLetteredAt: new Date(Number(message.timestamp)).toISOString(),
      errors,
      key: message.key?.toString('utf8') ?? null,
      event,
      headers: shown,
    },
    consumerGroup: text(headers[DeadLetterHeaders.consumerGroup]),
    orgId: str(envelope.orgid) ?? undefined,
    original: { key: message.key, value: message.value, headers: own },
  };
}

/** The list view: no payload. */
export function summaryOf(detail: DeadLetterDetail): DeadLetterView {
  const { errors: _errors, key: _key, event: _event, headers: _headers, ...view } = detail;
  return view;
}
