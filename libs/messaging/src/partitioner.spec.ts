import { randomBytes } from 'node:crypto';
import { Partitioners } from 'kafkajs';
// kafkajs's own implementation, the reference this one must equal
// eslint-disable-next-line @typescript-eslint/no-require-imports
const referenceMurmur2: (key: Buffer) => number = require('kafkajs/src/producer/partitioners/default/murmur2');
import { DefaultPartitioner, murmur2 } from './partitioner';

describe('murmur2', () => {
  it("equals kafkajs's (and so the Java client's) hash for keys of every length", () => {
    for (let length = 0; length < 80; length++) {
      for (let run = 0; run < 25; run++) {
        const key = randomBytes(length);
        expect(murmur2(key)).toBe(referenceMurmur2(key));
      }
    }
  });

  it('hashes known keys as the Java client does', () => {
    // Values from Kafka's UtilsTest.testMurmur2
    const cases: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key))).toBe(hash);
  });
});

describe('DefaultPartitioner', () => {
  const partitionMetadata = [0, 1, 2, 3, 4, 5].map((partitionId) => ({
    partitionId,
    leader: partitionId === 2 ? -1 : 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));

  it("puts keyed messages on kafkajs's default partitioner's partition", () => {
    const ours = DefaultPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (let i = 0; i < 2_000; i++) {
      const message = { key: `recipient-${i}`, value: 'x' };
      expect(ours({ topic: 't', partitionMetadata, message })).toBe(theirs({ topic: 't', partitionMetadata, message }));
    }
  });

  it('keeps an explicit partition and spreads keyless messages over partitions with a leader', () => {
    const partitioner = DefaultPartitioner();
    expect(partitioner({ topic: 't', partitionMetadata, message: { key: 'k', value: 'x', partition: 4 } })).toBe(4);
    const used = new Set(Array.from({ length: 50 }, () => partitioner({ topic: 't', partitionMetadata, message: { value: 'x' } })));
    expect([...used].sort()).toEqual([0, 1, 3, 4, 5]);
  });
});
