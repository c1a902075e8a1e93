import { UnzeroedEncoder } from './kafkajs-encoder.fix';

/**
 * kafkajs 2.2.4 encodes each record of a send through a dozen small steps: an Encoder per header,
 * the sizes computed apart from the writes (each string's UTF-8 length twice), the timestamp delta
 * as a 64-bit Long, and the batch's CRC-32C a byte at a time. Sending id-reconciliation's changelog,
 * that was a tenth of the service's CPU. Here a record is sized once and written in one buffer, and
 * the CRC takes eight bytes a step (slicing-by-8). Same bytes: anything out of the ordinary (a
 * delta beyond 2^30, a key that is neither string nor Buffer) goes through kafkajs's own encoder.
 *
 * Like the other kafkajs fixes, it must load before kafkajs (kafka-client.ts imports it first): the
 * record batch module takes both functions when it is loaded.
 */
type Bytes = string | Buffer | null | undefined;
interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, Bytes | Bytes[]>;
}
interface EncoderLike {
  buf: Buffer;
  offset: number;
}

const recordPath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0');
const crcPath = require.resolve('kafkajs/src/protocol/recordBatch/crc32C');
if (require.cache[recordPath]) {
  process.emitWarning('kafkajs was loaded before kafkajs-record.fix: its records are encoded the slow way');
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const originalRecord = require(recordPath) as (record: RecordInput) => EncoderLike;
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const originalCrc32C = require(crcPath) as (buffer: Buffer) => number;

const SMALL = 2 ** 30;
const isSmallInt = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > -SMALL && value < SMALL;
/** Bytes of a zig-zag varint of |value| < 2^30 (Kafka's varint and varlong agree there). */
const varIntSize = (value: number): number => {
  let zigzag = (value << 1) ^ (value >> 31);
  let bytes = 1;
  while ((zigzag & ~0x7f) !== 0) {
    bytes++;
    zigzag >>>= 7;
  }
  return bytes;
};
const writeVarInt = (buf: Buffer, offset: number, value: number): number => {
  let zigzag = (value << 1) ^ (value >> 31);
  while ((zigzag & ~0x7f) !== 0) {
    buf[offset++] = (zigzag & 0x7f) | 0x80;
    zigzag >>>= 7;
  }
  buf[offset++] = zigzag;
  return offset;
};
/** UTF-8 length of a string or Buffer, -1 for none, undefined for what kafkajs would stringify. */
const lengthOf = (value: Bytes): number | undefined =>
  value == null ? -1 : typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : Buffer.isBuffer(value) ? value.length : undefined;
const writeBytes = (buf: Buffer, offset: number, value: Bytes, length: number): number => {
  offset = writeVarInt(buf, offset, length);
  if (length <= 0) return offset;
  if (typeof value === 'string') buf.write(value, offset, length, 'utf8');
  else (value as Buffer).copy(buf, offset);
  return offset + length;
};

/** kafkajs's Record v0, byte for byte. */
export function fastRecord(record: RecordInput): EncoderLike {
  const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = record;
  const keyLength = lengthOf(key);
  const valueLength = lengthOf(value);
  if (!isSmallInt(offsetDelta) || !isSmallInt(timestampDelta) || keyLength === undefined || valueLength === undefined) return originalRecord(record);
  const headerKeys: string[] = [];
  const headerValues: Bytes[] = [];
  for (const name of Object.keys(headers)) {
    const values = headers[name];
    for (const one of Array.isArray(values) ? values : [values]) {
      headerKeys.push(name);
      headerValues.push(one);
    }
  }
  const headerLengths: number[] = [];
  let size = 1 + varIntSize(timestampDelta) + varIntSize(offsetDelta) + varIntSize(keyLength) + Math.max(keyLength, 0);
  size += varIntSize(valueLength) + Math.max(valueLength, 0) + varIntSize(headerKeys.length);
  for (let h = 0; h < headerKeys.length; h++) {
    const nameLength = Buffer.byteLength(headerKeys[h], 'utf8');
    const headerLength = lengthOf(headerValues[h]);
    // kafkajs cannot size a null header value, and stringifies what is neither string nor Buffer.
    if (headerLength === undefined || headerLength < 0) return originalRecord(record);
    headerLengths.push(nameLength, headerLength);
    size += varIntSize(nameLength) + nameLength + varIntSize(headerLength) + headerLength;
  }
  const total = varIntSize(size) + size;
  const encoder = new UnzeroedEncoder(total);
  const buf = encoder.buf;
  let offset = writeVarInt(buf, 0, size);
  buf[offset++] = 0; // attributes
  offset = writeVarInt(buf, offset, timestampDelta);
  offset = writeVarInt(buf, offset, offsetDelta);
  offset = writeBytes(buf, offset, key, keyLength);
  offset = writeBytes(buf, offset, value, valueLength);
  offset = writeVarInt(buf, offset, headerKeys.length);
  for (let h = 0; h < headerKeys.length; h++) {
    offset = writeBytes(buf, offset, headerKeys[h], headerLengths[2 * h]);
    offset = writeBytes(buf, offset, headerValues[h], headerLengths[2 * h + 1]);
  }
  encoder.offset = offset;
  return encoder;
}

/** CRC-32C (Castagnoli), reflected, eight bytes a step: tables[k][b] is b's CRC followed by k zero bytes. */
const CRC_TABLES = (() => {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let b = 0; b < 256; b++) {
    let crc = b;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    tables[0][b] = crc;
  }
  for (let b = 0; b < 256; b++) for (let k = 1; k < 8; k++) tables[k][b] = (tables[k - 1][b] >>> 8) ^ tables[0][tables[k - 1][b] & 0xff];
  return tables;
})();

export function fastCrc32C(buffer: Buffer): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES;
  let crc = -1;
  let i = 0;
  const whole = buffer.length - (buffer.length % 8);
  for (; i < whole; i += 8) {
    const low = crc ^ (buffer[i] | (buffer[i + 1] << 8) | (buffer[i + 2] << 16) | (buffer[i + 3] << 24));
    crc = t7[low & 0xff] ^ t6[(low >>> 8) & 0xff] ^ t5[(low >>> 16) & 0xff] ^ t4[low >>> 24] ^ t3[buffer[i + 4]] ^ t2[buffer[i + 5]] ^ t1[buffer[i + 6]] ^ t0[buffer[i + 7]];
  }
  for (; i < buffer.length; i++) crc = t0[(crc ^ buffer[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

require.cache[recordPath]!.exports = fastRecord;
require.cache[crcPath]!.exports = fastCrc32C;
