import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/**
 * Writes `lines` gzipped to `dir/name` atomically: into a hidden temporary name first, flushed to
 * disk, then renamed, so a consumer polling the directory never sees a partial file.
 */
export async function writeInboundFile(dir: string, name: string, lines: AsyncIterable<string> | Iterable<string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${name}.partial`);
  try {
    await pipeline(Readable.from(batched(lines)), createGzip(), createWriteStream(temporary));
    const handle = await open(temporary, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, join(dir, name));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
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
