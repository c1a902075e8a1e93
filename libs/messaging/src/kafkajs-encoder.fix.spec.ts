import { execFileSync } from 'node:child_process';
import { OriginalEncoder, UnzeroedEncoder } from './kafkajs-encoder.fix';
import './kafka-client';

/** A record batch of a produce request, encoded by kafkajs's own modules; run as is in a child process for the unpatched bytes. */
const ENCODE_BATCH = `(async () => {
  const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
  const Record = require('kafkajs/src/protocol/recordBatch/record/v0');
  const records = Array.from({ length: 300 }, (_, i) =>
    Record({ offsetDelta: i, timestampDelta: i * 3, key: Buffer.from('org:source/' + i), value: Buffer.from('{"value":' + 'x'.repeat(i * 7) + '}'), headers: { ce_type: 'idrec.identity.linked' } }));
  const batch = await RecordBatch({ firstTimestamp: 1765000000000, maxTimestamp: 1765000000900, lastOffsetDelta: 299, firstSequence: 42, records });
  return batch.buffer.toString('hex');
})()`;

describe("kafkajs's encoder without zero-filling", () => {
  it('is the one kafkajs encodes with, and encodes a record batch byte for byte as kafkajs does', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('kafkajs/src/protocol/encoder')).toBe(UnzeroedEncoder);
    const patched = (await eval(ENCODE_BATCH)) as string;
    const original = execFileSync(process.execPath, ['-e', `${ENCODE_BATCH}.then((hex) => process.stdout.write(hex))`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(patched.length).toBeGreaterThan(10_000);
    expect(patched).toBe(original);
  });

  it('keeps what was written when it grows, whatever the garbage beyond', () => {
    const write = (encoder: { writeInt32(n: number): unknown; writeVarIntString(s: string): unknown; buffer: Buffer }) => {
      for (let i = 0; i < 200; i++) {
        encoder.writeInt32(i);
        encoder.writeVarIntString(`string ${i}`);
      }
      return encoder.buffer.toString('hex');
    };
    expect(write(new UnzeroedEncoder(4) as never)).toBe(write(new OriginalEncoder(4) as never));
  });
});
