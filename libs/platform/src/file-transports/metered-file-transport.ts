import type { Readable } from 'node:stream';
import { fileTransportFailures } from '@audience-hub/observability';
import { FileTransportError, type FileEntry, type FileTransport } from './file-transport';

/** A transport whose failures are counted (hub_file_transport_failures_total) and name the location and operation. */
export class MeteredFileTransport implements FileTransport {
  constructor(private readonly inner: FileTransport) {}

  get location(): string {
    return this.inner.location;
  }

  get scheme(): FileTransport['scheme'] {
    return this.inner.scheme;
  }

  list(dir?: string): Promise<FileEntry[]> {
    return this.run('list', () => this.inner.list(dir));
  }

  stat(path: string): Promise<FileEntry | undefined> {
    return this.run('stat', () => this.inner.stat(path));
  }

  read(path: string): Promise<Readable> {
    return this.run('read', () => this.inner.read(path));
  }

  write(path: string, body: Readable): Promise<void> {
    return this.run('write', () => this.inner.write(path, body));
  }

  move(from: string, to: string): Promise<void> {
    return this.run('move', () => this.inner.move(from, to));
  }

  delete(path: string): Promise<void> {
    return this.run('delete', () => this.inner.delete(path));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      fileTransportFailures.labels(this.inner.scheme).inc();
      throw new FileTransportError(this.inner.location, operation, error);
    }
  }
}
