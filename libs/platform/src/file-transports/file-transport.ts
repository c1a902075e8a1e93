import type { Readable } from 'node:stream';

/** One file at a location: `version` is the S3 ETag or the modification time, so a rewrite under the same name and size still differs. */
export interface FileEntry {
  name: string;
  size: number;
  version: string;
  modifiedAt: Date;
}

/**
 * A place files are picked up from or delivered to (`file://`, `s3://`, `sftp://`). Paths are
 * relative to the location and use `/` (`processed/x.sync.gz`). Every write is atomic: a reader
 * listing the location sees the whole file or nothing.
 */
export interface FileTransport {
  /** The location's URL without credentials, for logs and records. */
  readonly location: string;
  readonly scheme: 'file' | 's3' | 'sftp';
  /** Files directly under `dir` (sub-folders left out); [] when `dir` does not exist. */
  list(dir?: string): Promise<FileEntry[]>;
  stat(path: string): Promise<FileEntry | undefined>;
  read(path: string): Promise<Readable>;
  /** Writes the stream whole under `path` or not at all (a temporary name renamed, or one S3 PUT / completed multipart upload). */
  write(path: string, body: Readable): Promise<void>;
  /** Moves a file, replacing any file of that name; the moved file's modification time becomes now (retention counts from the move). */
  move(from: string, to: string): Promise<void>;
  delete(path: string): Promise<void>;
  close(): Promise<void>;
}

/** A transport operation that failed, naming the location (without credentials) and the operation. */
export class FileTransportError extends Error {
  constructor(
    readonly location: string,
    readonly operation: string,
    cause: unknown,
  ) {
    super(`${operation} at ${location} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** `a/b` joined with `c` into `a/b/c`, without doubled or leading slashes. */
export function joinPath(...parts: Array<string | undefined>): string {
  return parts
    .filter((part): part is string => !!part)
    .join('/')
    .replace(/\/{2,}/g, '/')
    .replace(/^\//, '');
}

/** The folder part of a relative path ('' for a file at the root). */
export function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** A hidden name unique enough to write into before the rename that publishes it. */
export function temporaryName(path: string): string {
  const dir = dirOf(path);
  const base = path.slice(dir ? dir.length + 1 : 0);
  return joinPath(dir, `.${base}.${process.pid}-${Date.now().toString(36)}.part`);
}
