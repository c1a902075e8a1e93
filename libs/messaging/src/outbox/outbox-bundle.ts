/**
 * A bundle: many small events of one topic in one outbox row (its `records` counts them), written
 * by enqueueEvents for a batch's changelog and split again by the relay into one Kafka record per
 * event, in order. Each record is `type US key US value`, records are joined by RS. The value is
 * the event's JSON, in which JSON.stringify escapes every control character, so neither separator
 * can occur in it; an event whose type or key holds one is never bundled (canBundle).
 */

/**
 * A bundle row's topic: `bundle:<topic>`, which names no Kafka topic (':' is not allowed in one).
 * A relay of the previous version, which knows no bundles and would send the row as one record,
 * fails on it instead (kafkajs refuses the whole send at once), and sends nothing past it until a
 * relay of this version leads: during a rolling upgrade the outbox waits rather than send a bundle
 * whole or out of order.
 */
const BUNDLE_TOPIC_PREFIX = 'bundle:';

export const bundleTopic = (topic: string): string => `${BUNDLE_TOPIC_PREFIX}${topic}`;

/** The topic of a bundle's events, from its row's topic. */
export function topicOfBundle(rowTopic: string): string {
  if (!rowTopic.startsWith(BUNDLE_TOPIC_PREFIX)) throw new Error(`not an outbox bundle's topic: ${rowTopic}`);
  return rowTopic.slice(BUNDLE_TOPIC_PREFIX.length);
}

const RECORD_SEPARATOR = '\u001e';
const UNIT_SEPARATOR = '\u001f';

/** Events above this size gain nothing from sharing a row (a list's member chunk): they travel alone. */
export const MAX_BUNDLED_EVENT_CHARS = 16 * 1024;
/**
 * A bundle's text stays under this: below V8's large-object size (128 KiB), so that the bundle's
 * strings, written and read back, die young like the events' own instead of filling the old space
 * (bundles of a megabyte cost the service a fifth more CPU, in major collections).
 */
export const MAX_BUNDLE_CHARS = 100 * 1024;

export interface BundledRecord {
  type: string;
  key: string;
  value: string;
}

export function canBundle(type: string, key: string, value: string): boolean {
  return value.length <= MAX_BUNDLED_EVENT_CHARS && !holdsSeparator(key) && !holdsSeparator(type);
}

const holdsSeparator = (text: string): boolean => text.includes(RECORD_SEPARATOR) || text.includes(UNIT_SEPARATOR);

/** One record of a bundle, with its separator when it follows another. */
export function bundledRecord(type: string, key: string, value: string, first: boolean): string {
  return `${first ? '' : RECORD_SEPARATOR}${type}${UNIT_SEPARATOR}${key}${UNIT_SEPARATOR}${value}`;
}

/** The records of a bundle's text, in order. */
export function unbundle(text: string): BundledRecord[] {
  const records: BundledRecord[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf(RECORD_SEPARATOR, start);
    if (end < 0) end = text.length;
    const typeEnd = text.indexOf(UNIT_SEPARATOR, start);
    const keyEnd = text.indexOf(UNIT_SEPARATOR, typeEnd + 1);
    if (typeEnd < 0 || keyEnd < 0 || keyEnd > end) throw new Error(`malformed outbox bundle: record at ${start} has no type and key`);
    records.push({ type: text.slice(start, typeEnd), key: text.slice(typeEnd + 1, keyEnd), value: text.slice(keyEnd + 1, end) });
    start = end + 1;
  }
  return records;
}
