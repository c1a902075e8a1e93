import fc from 'fast-check';
import { fastCrc32C, fastRecord, originalCrc32C, originalRecord } from './kafkajs-record.fix';
import './kafka-client';

const SEED = Number(process.env.HUB_PROPERTY_SEED ?? 20261206);
const RUNS = Number(process.env.HUB_UNIT_RUNS ?? 2_000);

const bytes = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((array) => Buffer.from(array)),
  fc.constant(null),
  fc.constant(undefined),
);
const delta = fc.oneof(fc.integer({ min: -(2 ** 30) + 1, max: 2 ** 30 - 1 }), fc.integer({ min: 0, max: 200 }), fc.constantFrom(2 ** 30, -(2 ** 30), 2 ** 40));
const headerValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uint8Array({ maxLength: 40 }).map((array) => Buffer.from(array)),
);

describe("kafkajs's record encoder and CRC-32C, done faster", () => {
  it('are the ones kafkajs encodes with', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('kafkajs/src/protocol/recordBatch/record/v0')).toBe(fastRecord);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('kafkajs/src/protocol/recordBatch/crc32C')).toBe(fastCrc32C);
  });

  it('encode every record byte for byte as kafkajs does', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            offsetDelta: delta,
            timestampDelta: delta,
            key: bytes,
            value: bytes,
            headers: fc.dictionary(fc.string({ unit: 'binary', maxLength: 20 }), fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })), { maxKeys: 3 }),
          },
          { requiredKeys: [] },
        ),
        (record) => {
          expect((fastRecord(record) as unknown as { buffer: Buffer }).buffer.toString('hex')).toBe(
            (originalRecord(record) as unknown as { buffer: Buffer }).buffer.toString('hex'),
          );
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('checksum every buffer as kafkajs does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (array) => {
        expect(fastCrc32C(Buffer.from(array))).toBe(originalCrc32C(Buffer.from(array)));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The CRC-32C check value, and a large buffer.
    expect(fastCrc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    const large = Buffer.from(Array.from({ length: 100_003 }, (_, i) => (i * 7919) % 256));
    expect(fastCrc32C(large)).toBe(originalCrc32C(large));
  });
});
