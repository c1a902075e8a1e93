import type { Kafka } from 'kafkajs';
import { ALL_TOPICS, Topics } from '@audience-hub/contracts';
import { physicalTopic, topicPrefix } from '../topic-names';

export interface TopicSetup {
  partitions: number;
  replicationFactor: number;
}

/** Topic settings: membership chunks of 10,000 declared ids can exceed Kafka's 1 MB default. */
export const TOPIC_CONFIG = [
  { name: 'max.message.bytes', value: String(16 * 1024 * 1024) },
  { name: 'retention.ms', value: String(7 * 24 * 3600 * 1000) },
];

/**
 * Topics holding the latest state per key (catalogs, the identity changelog), kept by compaction
 * rather than age. A tombstone stays readable for `delete.retention.ms` (7 days, like every other
 * topic's retention): a replica that falls further behind than that must be rebuilt from the start.
 */
const COMPACTED: readonly string[] = [Topics.idrecDataSources, Topics.idrecIdentityLinks];
const COMPACTED_CONFIG = [
  ...TOPIC_CONFIG.filter((entry) => entry.name !== 'retention.ms'),
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'delete.retention.ms', value: String(7 * 24 * 3600 * 1000) },
];

/**
 * The privacy topic carries a subject's identifiers in clear to the services that erase them: it
 * keeps them as briefly as it can. Compacted (a finished request's tombstone removes its fan-out)
 * and deleted after a day whatever happens, the tombstones after an hour.
 */
const SHORT_LIVED: readonly string[] = [Topics.hubPrivacy];
const SHORT_LIVED_CONFIG = [
  ...TOPIC_CONFIG.filter((entry) => entry.name !== 'retention.ms'),
  { name: 'cleanup.policy', value: 'compact,delete' },
  { name: 'retention.ms', value: String(24 * 3600 * 1000) },
  { name: 'delete.retention.ms', value: String(3600 * 1000) },
  { name: 'segment.ms', value: String(3600 * 1000) },
];

const configOf = (topic: string) =>
  COMPACTED.map(physicalTopic).includes(topic) ? COMPACTED_CONFIG : SHORT_LIVED.map(physicalTopic).includes(topic) ? SHORT_LIVED_CONFIG : TOPIC_CONFIG;

/** Creates every topic of the contract that is missing; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, setup: TopicSetup): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = ALL_TOPICS.map(physicalTopic).filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: setup.partitions,
          replicationFactor: setup.replicationFactor,
          configEntries: configOf(topic),
        })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/** Deletes every topic of the current prefix (test runs clean up after themselves). */
export async function deletePrefixedTopics(kafka: Kafka): Promise<void> {
  const prefix = topicPrefix();
  if (!prefix) throw new Error('refusing to delete topics without a KAFKA_TOPIC_PREFIX');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}
