import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { temporaryName, type FileEntry, type FileTransport } from './file-transport';

/** `file:///dir`: a local or mounted directory. */
export class LocalFileTransport implements FileTransport {
  readonly scheme = 'file';

  constructor(
    readonly location: string,
    private readonly root: string,
  ) {}

  async list(dir = ''): Promise<FileEntry[]> {
    let names: string[];
    try {
      names = await readdir(join(this.root, dir));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: FileEntry[] = [];
    for (const name of names) {
      const entry = await this.stat(dir ? `${dir}/${name}` : name);
      if (entry) entries.push({ ...entry, name });
    }
    return entries;
  }

  async stat(path: string): Promise<FileEntry | undefined> {
    try {
      const info = await stat(join(this.root, path));
      if (!info.isFile()) return undefined;
      return { name: path, size: info.size, version: String(info.mtimeMs), modifiedAt: info.mtime };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async read(path: string): Promise<Readable> {
    const stream = createReadStream(join(this.root, path));
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
    return stream;
  }

  async write(path: string, body: Readable): Promise<void> {
    const target = join(this.root, path);
    const temporary = join(this.root, temporaryName(path));
    await mkdir(dirname(target), { recursive: true });
    try {
      await pipeline(body, createWriteStream(temporary));
      const handle = await open(temporary, 'r');
      try {
        await handle.sync(); // on disk before it is visible under its name
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async move(from: string, to: string): Promise<void> {
    const target = join(this.root, to);
    await mkdir(dirname(target), { recursive: true });
    await rename(join(this.root, from), target);
    const now = new Date();
    await utimes(target, now, now);
  }

  async delete(path: string): Promise<void> {
    await rm(join(this.root, path), { force: true });
  }

  async close(): Promise<void> {}
}
