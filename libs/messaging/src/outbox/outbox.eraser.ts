import type { EntityManager } from 'typeorm';
import { execute, queryRows } from '@audience-hub/persistence';
import { unbundle } from './outbox-bundle';

interface UnsentRow {
  seq: string;
  message_key: string;
  message_value: string | null;
  records: number | null;
}

/**
 * For privacy requests, in the caller's transaction: the outbox rows not sent yet that hold any of
 * these identifiers (in their key or value) are deleted the moment the relay sends them; they must
 * still go out, in order (the request's own removals and tombstones, or earlier changes still
 * queued). Sent rows need nothing: a service holding subjects' identifiers runs its relay with
 * `deleteSent`, so no sent row stays (OutboxSentContentDropped removed what earlier versions kept). The unsent rows are few (the relay's backlog): each is read once and its
 * strings looked up in a set of the identifiers (identifierIn). Returns how many rows were marked.
 */
export async function eraseFromOutbox(tx: EntityManager, identifiers: readonly string[]): Promise<number> {
  if (identifiers.length === 0) return 0;
  const wanted = new Set(identifiers);
  const unsent = await queryRows<UnsentRow>(tx, `SELECT seq, message_key, message_value, records FROM outbox_events WHERE sent_at IS NULL AND NOT erase_once_sent ORDER BY seq`);
  const holding = unsent.filter((row) => rowHoldsAny(row, wanted)).map((row) => row.seq);
  if (holding.length === 0) return 0;
  return execute(tx, `UPDATE outbox_events SET erase_once_sent = true WHERE seq = ANY($1::bigint[])`, [holding]);
}

/**
 * Outbox rows of these events (just enqueued, holding identifiers in clear) are deleted once sent.
 * The events must have rows of their own: enqueued a few at a time, never bundled.
 */
export async function eraseOnceSent(tx: EntityManager, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) return;
  const marked = await execute(tx, `UPDATE outbox_events SET erase_once_sent = true WHERE event_id = ANY($1::uuid[])`, [eventIds]);
  if (marked !== new Set(eventIds).size) throw new Error(`eraseOnceSent: ${eventIds.length - marked} of the events have no outbox row of their own (bundled or not enqueued)`);
}

function rowHoldsAny(row: UnsentRow, wanted: ReadonlySet<string>): boolean {
  if (row.records !== null) return unbundle(row.message_value ?? '').some((record) => eventHoldsAny(record.key, record.value, wanted));
  return eventHoldsAny(row.message_key, row.message_value, wanted);
}

function eventHoldsAny(key: string, json: string | null, wanted: ReadonlySet<string>): boolean {
  if (identifierIn(key, wanted)) return true;
  if (json === null) return false;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return identifierIn(json, wanted);
  }
  return stringsOf(value).some((text) => identifierIn(text, wanted));
}

/** Every string of a JSON value, object keys included. */
function stringsOf(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, into);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      stringsOf(item, into);
    }
  return into;
}

/** Characters that join ids into composite keys and lists (`org:dataSource/xcId`, `a,b`, text lines). */
const SEPARATOR = /[\s:/,;|=]/g;
/** Beyond this many separators a string is free text: each identifier is searched in it instead. */
const MAX_SEPARATORS = 64;

/**
 * Whether `text` holds one of the identifiers: the whole text, or any part of it that starts and
 * ends at a separator (an XC id may itself hold ':' or '/', so every such span is looked up, not
 * only the pieces between two separators). An identifier inside a longer token (`abc` in `xabcx`)
 * is something else and does not count.
 */
export function identifierIn(text: string, wanted: ReadonlySet<string>): boolean {
  if (wanted.has(text)) return true;
  const bounds = [...text.matchAll(SEPARATOR)].map((match) => match.index);
  if (bounds.length === 0) return false;
  if (bounds.length > MAX_SEPARATORS) {
    for (const id of wanted) if (text.includes(id)) return true;
    return false;
  }
  const starts = [0, ...bounds.map((at) => at + 1)];
  const ends = [...bounds, text.length];
  for (const start of starts) for (const end of ends) if (end > start && wanted.has(text.slice(start, end))) return true;
  return false;
}
