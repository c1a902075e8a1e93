import type { Admin } from 'kafkajs';
import { Topics } from '@audience-hub/contracts';
import { logicalTopic, physicalTopic } from '../topic-names';

export interface PartitionLag {
  group: string;
  /** Logical (contract) topic name. */
  topic: string;
  partition: number;
  lag: number;
}

/**
 * Each group's lag per partition, read from the broker: the log end offset minus the group's
 * committed offset. A partition the group never committed counts from the log start (what a new
 * group reading from the beginning has ahead of it). One offset fetch per group, one end-offset
 * fetch per topic the groups committed on.
 */
export async function readConsumerLag(admin: Admin, groups: readonly string[]): Promise<PartitionLag[]> {
  const committed = await Promise.all(groups.map(async (group) => ({ group, topics: await admin.fetchOffsets({ groupId: group }) })));
  const topics = [...new Set(committed.flatMap(({ topics }) => topics.map(({ topic }) => topic)))];
  const ends = new Map(await Promise.all(topics.map(async (topic) => [topic, new Map((await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, entry]))] as const)));
  return committed.flatMap(({ group, topics: groupTopics }) =>
    groupTopics.flatMap(({ topic, partitions }) =>
      partitions.flatMap(({ partition, offset }) => {
        const end = ends.get(topic)?.get(partition);
        if (!end) return [];
        const from = Number(offset) >= 0 ? Number(offset) : Number(end.low);
        return [{ group, topic: logicalTopic(topic), partition, lag: Math.max(0, Number(end.high) - from) }];
      }),
    ),
  );
}

/** Messages held in the dead-letter topic: its log end minus its log start, over every partition. */
export async function readDeadLetterDepth(admin: Admin): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(physicalTopic(Topics.hubDeadLetter));
  return offsets.reduce((sum, { high, low }) => sum + Math.max(0, Number(high) - Number(low)), 0);
}
