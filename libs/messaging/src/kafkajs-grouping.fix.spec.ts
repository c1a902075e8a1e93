import type { Message, PartitionerArgs, PartitionMetadata } from 'kafkajs';
import { createKafka } from './kafka-client';
import { groupMessagesPerPartition, originalGroupMessagesPerPartition } from './kafkajs-grouping.fix';
import { DefaultPartitioner } from './partitioner';

describe("kafkajs's grouping of a send's messages by partition", () => {
  const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 0 }) as PartitionMetadata);
  const messages: Message[] = Array.from({ length: 3_000 }, (_, i) => ({ key: i % 7 === 0 ? null : `org:source/${i}`, value: `value ${i}` }));

  it('gives the partitions and the order within each that kafkajs gives', () => {
    // A fresh partitioner each, whose keyless messages go round-robin from the same start.
    const partitioner = () => {
      const keyed = DefaultPartitioner();
      let next = 0;
      return (args: PartitionerArgs) => (args.message.key === null ? next++ % args.partitionMetadata.length : keyed(args));
    };
    const input = () => ({ topic: 't', partitionMetadata, messages, partitioner: partitioner() });
    expect(groupMessagesPerPartition(input())).toEqual(originalGroupMessagesPerPartition(input()));
    expect(groupMessagesPerPartition({ ...input(), partitionMetadata: [] })).toEqual({});
  });

  it("is the one kafkajs's producer uses", () => {
    createKafka({ brokers: ['127.0.0.1:1'], clientId: 'test' }).producer();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('kafkajs/src/producer/groupMessagesPerPartition')).toBe(groupMessagesPerPartition);
  });
});
