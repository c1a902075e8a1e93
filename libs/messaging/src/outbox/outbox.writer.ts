import type { EntityManager } from 'typeorm';
import { topicOfEventType, validateEventData, type AnyHubEvent } from '@audience-hub/contracts';
import { copyEncoded, copyText, query, schemaOf } from '@audience-hub/persistence';
import { activeTraceparent } from '@audience-hub/observability';
import { bundledRecord, bundleTopic, canBundle, MAX_BUNDLE_CHARS } from './outbox-bundle';

/** The NOTIFY channel a schema's relay listens on, so a commit is relayed at once instead of at the next poll. */
export function outboxChannel(schema: string): string {
  return `hub_outbox_${schema}`;
}

/**
 * Adds events to the outbox inside the caller's transaction: they reach Kafka if and only if
 * that transaction commits. Each event is validated against its contract first.
 * With tracing on, the rows keep the active span's traceparent (the relay's send continues that
 * trace), and events that name no traceparent of their own carry it too.
 */
export async function enqueueEvents(manager: EntityManager, events: readonly AnyHubEvent[]): Promise<void> {
  if (events.length === 0) return;
  for (const event of events) validateEventData(event.type, event.data);
  const traceparent = activeTraceparent() ?? null;
  if (traceparent) events = events.map((event) => (event.traceparent ? event : { ...event, traceparent }));
  if (events.length >= COPY_FROM && manager.queryRunner) {
    await copyEvents(manager, events, traceparent);
    await notifyRelay(manager);
  } else {
    for (let first = 0; first < events.length; first += EVENTS_PER_STATEMENT) await insertEvents(manager, events.slice(first, first + EVENTS_PER_STATEMENT), traceparent);
  }
}

/**
 * Adds tombstones (null values) for these keys of a compacted topic to the outbox, in the caller's
 * transaction, after whatever it enqueued before: the relay keeps the order.
 */
export async function enqueueTombstones(manager: EntityManager, topic: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await query(
    manager,
    `INSERT INTO outbox_events (topic, message_key, traceparent) SELECT $1, key, $3 FROM jsonb_array_elements_text($2::jsonb) WITH ORDINALITY AS k(key, n) ORDER BY n
     RETURNING pg_notify($4, '')`,
    [topic, JSON.stringify(keys), activeTraceparent() ?? null, relayChannel(manager)],
  );
}

/**
 * Wakes the schema's relay once the caller's transaction commits (NOTIFY is delivered at commit).
 * An INSERT into the outbox does the same in its RETURNING clause, one round trip fewer (each
 * waits for the CPU on a busy machine): Postgres delivers a channel's identical notifications of
 * one transaction once, however many rows called pg_notify.
 */
async function notifyRelay(manager: EntityManager): Promise<void> {
  await query(manager, `SELECT pg_notify($1, '')`, [relayChannel(manager)]);
}

const relayChannel = (manager: EntityManager): string => outboxChannel(schemaOf(manager.connection));

/** Five bind parameters per event (and one traceparent per statement): well within Postgres's 65,535. */
const EVENTS_PER_STATEMENT = 1_000;
/**
 * From this many events (a batch handler's changelog), the rows go in by COPY: a statement of
 * thousands of parameters costs Postgres more to parse and plan, and the driver more to bind, than
 * the rows cost to write. A few events (the common case) take one INSERT, one round trip.
 */
const COPY_FROM = 64;

async function copyEvents(manager: EntityManager, events: readonly AnyHubEvent[], traceparent: string | null): Promise<void> {
  await copyEncoded(
    manager,
    'outbox_events',
    ['event_id', 'topic', 'event_type', 'message_key', 'message_value', 'traceparent', 'records'],
    copyLines(events, copyText(traceparent)),
  );
}

/**
 * The rows in COPY's text format, 256 KiB at a time as the COPY stream takes them: the JSON of a
 * batch's changelog (50,000 records from 5,000 upserts in ten sources) never sits in memory whole.
 * Consecutive small events of one topic share a row, a bundle (outbox-bundle.ts); an event that
 * cannot be bundled ends the bundle before it, so the rows keep the events' order.
 */
function* copyLines(events: readonly AnyHubEvent[], traceparentField: string): Generator<string> {
  const single = (event: AnyHubEvent, topic: string, value: string) =>
    `${event.id}\t${copyText(topic)}\t${copyText(event.type)}\t${copyText(event.partitionkey)}\t${copyText(value)}\t${traceparentField}\t\\N\n`;
  let chunk = '';
  let bundle: { topic: string; first: AnyHubEvent; firstValue: string; text: string; records: number } | undefined;
  const endBundle = () => {
    if (!bundle) return;
    chunk +=
      bundle.records === 1
        ? single(bundle.first, bundle.topic, bundle.firstValue)
        : `\\N\t${copyText(bundleTopic(bundle.topic))}\t\\N\t\t${copyText(bundle.text)}\t${traceparentField}\t${bundle.records}\n`;
    bundle = undefined;
  };
  for (const event of events) {
    const topic = topicOfEventType(event.type);
    const value = JSON.stringify(event);
    if (!canBundle(event.type, event.partitionkey, value)) {
      endBundle();
      chunk += single(event, topic, value);
    } else if (bundle && bundle.topic === topic && bundle.text.length + value.length < MAX_BUNDLE_CHARS) {
      bundle.text += bundledRecord(event.type, event.partitionkey, value, false);
      bundle.records++;
    } else {
      endBundle();
      bundle = { topic, first: event, firstValue: value, text: bundledRecord(event.type, event.partitionkey, value, true), records: 1 };
    }
    if (chunk.length >= 256 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  endBundle();
  if (chunk) yield chunk;
}

async function insertEvents(manager: EntityManager, events: readonly AnyHubEvent[], traceparent: string | null): Promise<void> {
  // One row of scalar parameters per event: a JSON value bound as a text[] element would be
  // escaped character by character, which costs more than the rest of the insert for big chunks.
  const rows: string[] = [];
  const params: Array<string | null> = [traceparent];
  for (const event of events) {
    const n = params.length;
    rows.push(`($${n + 1}::uuid, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $1)`);
    params.push(event.id, topicOfEventType(event.type), event.type, event.partitionkey, JSON.stringify(event));
  }
  params.push(relayChannel(manager));
  await query(
    manager,
    `INSERT INTO outbox_events (event_id, topic, event_type, message_key, message_value, traceparent) VALUES ${rows.join(', ')} RETURNING pg_notify($${params.length}, '')`,
    params,
  );
}
