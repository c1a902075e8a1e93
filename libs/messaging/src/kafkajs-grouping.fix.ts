/**
 * kafkajs 2.2.4 (its last release) groups a send's messages by partition with
 * `Object.assign(result, { [partition]: [...current, message] })`: every message copies its
 * partition's list so far, so a send of n messages to p partitions costs n²/2p copies and as much
 * garbage. The relay sends up to 5,000 rows a round (changelog records, most of them): over a
 * million copies a send to ten partitions, about a tenth of id-reconciliation's CPU in a profile
 * of ten declared sources. This is the same grouping (same partitioner calls, same partitions,
 * same order within each), in one pass.
 *
 * kafkajs's producer takes the function when it is loaded, so this module must load first: it
 * puts its version into the require cache under kafkajs's module, and kafka-client.ts imports it
 * before kafkajs.
 */
import type { Message, PartitionMetadata } from 'kafkajs';

type Partitioner = (args: { topic: string; partitionMetadata: PartitionMetadata[]; message: Message }) => number;

export function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: PartitionMetadata[];
  messages: Message[];
  partitioner: Partitioner;
}): Record<number, Message[]> {
  if (partitionMetadata.length === 0) return {};
  const result: Record<number, Message[]> = {};
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

const modulePath = require.resolve('kafkajs/src/producer/groupMessagesPerPartition');
const sendMessagesPath = require.resolve('kafkajs/src/producer/sendMessages');
if (require.cache[sendMessagesPath] && require.cache[modulePath]?.exports !== groupMessagesPerPartition) {
  process.emitWarning('kafkajs was loaded before kafkajs-grouping.fix: its producer groups messages by partition in quadratic time');
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const original = require(modulePath) as unknown;
require.cache[modulePath]!.exports = groupMessagesPerPartition;

/** kafkajs's own version, for the test that both agree. */
export const originalGroupMessagesPerPartition = original as typeof groupMessagesPerPartition;
