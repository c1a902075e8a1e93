import type { Readable } from 'node:stream';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { joinPath, type FileEntry, type FileTransport } from './file-transport';

export interface S3Options {
  bucket: string;
  /** Key prefix of the location, without leading or trailing slash ('' for the bucket's root). */
  prefix: string;
  client: S3ClientConfig;
}

/**
 * `s3://bucket/prefix`: Amazon S3 or an S3-compatible store (MinIO, Ceph, S3Proxy) through its
 * endpoint with path-style addressing. A write is one multipart upload (a single PUT when small)
 * that S3 publishes only once completed; a move is a copy then a delete.
 */
export class S3FileTransport implements FileTransport {
  readonly scheme = 's3';
  private readonly client: S3Client;

  constructor(
    readonly location: string,
    private readonly options: S3Options,
  ) {
    this.client = new S3Client(options.client);
  }

  private key(path: string): string {
    return joinPath(this.options.prefix, path);
  }

  async list(dir = ''): Promise<FileEntry[]> {
    const prefix = this.key(dir) ? `${this.key(dir)}/` : '';
    const entries: FileEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const name = object.Key!.slice(prefix.length);
        if (!name || name.endsWith('/')) continue; // a folder marker
        entries.push({ name, size: object.Size ?? 0, version: object.ETag ?? '', modifiedAt: object.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return entries;
  }

  async stat(path: string): Promise<FileEntry | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(path) }));
      return { name: path, size: head.ContentLength ?? 0, version: head.ETag ?? '', modifiedAt: head.LastModified ?? new Date(0) };
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFound' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  async read(path: string): Promise<Readable> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(path) }));
    return object.Body as Readable;
  }

  async write(path: string, body: Readable): Promise<void> {
    // Parts of 8 MiB, two at a time: memory stays bounded whatever the file's size.
    await new Upload({ client: this.client, params: { Bucket: this.options.bucket, Key: this.key(path), Body: body }, partSize: 8 * 1024 * 1024, queueSize: 2 }).done();
  }

  async move(from: string, to: string): Promise<void> {
    const source = `${this.options.bucket}/${this.key(from).split('/').map(encodeURIComponent).join('/')}`;
    await this.client.send(new CopyObjectCommand({ Bucket: this.options.bucket, Key: this.key(to), CopySource: source }));
    await this.delete(from);
  }

  async delete(path: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(path) }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
