import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { FileTransport } from '@audience-hub/platform';

/**
 * Writes `lines` gzipped to `name` at the transport's location, atomically (the transport's write
 * publishes the whole file or nothing), streamed: memory holds one batch, whatever the file's size.
 */
export async function writeInboundFile(transport: FileTransport, name: string, lines: AsyncIterable<string> | Iterable<string>): Promise<void> {
  const gzip = createGzip();
  // An error reading the lines destroys gzip with it, which fails the write.
  const reading = pipeline(Readable.from(batched(lines)), gzip).catch(() => undefined);
  await transport.write(name, gzip);
  await reading;
}

/** Joins lines into ~64 KiB strings: one stream chunk per line would dominate the cost. */
async function* batched(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  let buffer = '';
  for await (const line of lines) {
    buffer += line;
    if (buffer.length >= 64 * 1024) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}
