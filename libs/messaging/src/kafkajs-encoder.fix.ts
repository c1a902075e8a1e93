/**
 * kafkajs 2.2.4 encodes every record of a send in an Encoder of its own, which starts with
 * `Buffer.alloc(512)`: a zero-filled buffer on a fresh ArrayBuffer per record, copied into the
 * batch and then dropped (about a tenth of id-reconciliation's CPU sending its changelog, more in
 * the collector). Only the bytes below `offset` are ever read (`buffer` slices there, and nothing
 * else touches `buf`), so the zeroes are never needed: this Encoder takes `Buffer.allocUnsafe`,
 * which for small sizes cuts from Node's shared pool. Same methods, same bytes.
 *
 * Like kafkajs-grouping.fix, it must load before kafkajs (kafka-client.ts imports it first): the
 * protocol modules take the Encoder class when they are loaded.
 */
interface EncoderLike {
  buf: Buffer;
  offset: number;
}
type EncoderClass = { new (initialSize?: number): EncoderLike; nextPowerOfTwo(value: number): number; prototype: EncoderLike & { ensureAvailable(length: number): void } };

const encoderPath = require.resolve('kafkajs/src/protocol/encoder');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const OriginalEncoder = require(encoderPath) as EncoderClass;

/** kafkajs's Encoder (its prototype and statics), without the zero-filling. */
export const UnzeroedEncoder = function UnzeroedEncoder(this: EncoderLike, initialSize = 511) {
  this.buf = Buffer.allocUnsafe(OriginalEncoder.nextPowerOfTwo(initialSize));
  this.offset = 0;
} as unknown as EncoderClass;
UnzeroedEncoder.prototype = OriginalEncoder.prototype;
Object.setPrototypeOf(UnzeroedEncoder, OriginalEncoder);

OriginalEncoder.prototype.ensureAvailable = function ensureAvailable(this: EncoderLike, length: number): void {
  if (this.offset + length <= this.buf.length) return;
  const grown = Buffer.allocUnsafe(OriginalEncoder.nextPowerOfTwo(this.offset + length));
  this.buf.copy(grown, 0, 0, this.offset);
  this.buf = grown;
};

if (require.cache[require.resolve('kafkajs/src/protocol/recordBatch/record/v0')]) {
  process.emitWarning('kafkajs was loaded before kafkajs-encoder.fix: its records are encoded in zero-filled buffers');
}
require.cache[encoderPath]!.exports = UnzeroedEncoder;
