import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import SftpClient from 'ssh2-sftp-client';
import type { SFTPWrapper } from 'ssh2';
import { dirOf, joinPath, temporaryName, type FileEntry, type FileTransport } from './file-transport';

export interface SftpOptions {
  host: string;
  port: number;
  username: string;
  /** Absolute folder of the location on the server. */
  root: string;
  privateKey?: string;
  passphrase?: string;
  password?: string;
  /** OpenSSH's `SHA256:…` fingerprint of the server's host key; the connection is refused on any other key. */
  hostKeySha256?: string;
  readyTimeoutMs?: number;
}

/** OpenSSH's fingerprint of a host key (`ssh-keygen -lf`): SHA256 of the key blob, base64 without padding. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/**
 * `sftp://user@host:port/path`: one SSH connection, opened on first use and again after it
 * fails. A write goes under a hidden temporary name, then is renamed into place (OpenSSH's
 * posix-rename replaces atomically), so a reader never sees half a file.
 */
export class SftpFileTransport implements FileTransport {
  readonly scheme = 'sftp';
  private connection?: Promise<{ client: SftpClient; sftp: SFTPWrapper }>;

  constructor(
    readonly location: string,
    private readonly options: SftpOptions,
  ) {}

  private path(relative: string): string {
    return `/${joinPath(this.options.root, relative)}`;
  }

  private connect(): Promise<{ client: SftpClient; sftp: SFTPWrapper }> {
    this.connection ??= (async () => {
      const client = new SftpClient('audience-hub');
      const pin = this.options.hostKeySha256;
      try {
        const sftp = await client.connect({
          host: this.options.host,
          port: this.options.port,
          username: this.options.username,
          privateKey: this.options.privateKey,
          passphrase: this.options.passphrase,
          password: this.options.password,
          readyTimeout: this.options.readyTimeoutMs ?? 10_000,
          retries: 0,
          hostVerifier: pin ? (key: Buffer) => hostKeyFingerprint(key) === pin : undefined,
        });
        return { client, sftp };
      } catch (error) {
        await client.end().catch(() => undefined);
        throw pin && /verif|host key|Handshake failed/i.test((error as Error).message)
          ? new Error(`host key does not match the pinned ${pin}: ${(error as Error).message}`)
          : error;
      }
    })();
    this.connection.catch(() => (this.connection = undefined));
    return this.connection;
  }

  /** Runs `operation` on the connection; a failure drops the connection, so the next call opens a new one. */
  private async use<T>(operation: (client: SftpClient, sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const connection = this.connect();
    const { client, sftp } = await connection;
    try {
      return await operation(client, sftp);
    } catch (error) {
      if (!isNoSuchFile(error)) await this.drop(connection);
      throw error;
    }
  }

  private async drop(connection: Promise<{ client: SftpClient }>): Promise<void> {
    if (this.connection !== connection) return;
    this.connection = undefined;
    await (await connection).client.end().catch(() => undefined);
  }

  async list(dir = ''): Promise<FileEntry[]> {
    try {
      const entries = await this.use((client) => client.list(this.path(dir)));
      return entries
        .filter((entry) => entry.type === '-')
        .map((entry) => ({ name: entry.name, size: entry.size, version: String(entry.modifyTime), modifiedAt: new Date(entry.modifyTime) }));
    } catch (error) {
      if (isNoSuchFile(error)) return [];
      throw error;
    }
  }

  async stat(path: string): Promise<FileEntry | undefined> {
    try {
      const info = await this.use((client) => client.stat(this.path(path)));
      return info.isFile ? { name: path, size: info.size, version: String(info.modifyTime), modifiedAt: new Date(info.modifyTime) } : undefined;
    } catch (error) {
      if (isNoSuchFile(error)) return undefined;
      throw error;
    }
  }

  async read(path: string): Promise<Readable> {
    return this.use(async (client) => {
      await client.stat(this.path(path)); // a missing file fails here, not mid-stream
      return client.createReadStream(this.path(path));
    });
  }

  async write(path: string, body: Readable): Promise<void> {
    const temporary = this.path(temporaryName(path));
    await this.use(async (client) => {
      await this.ensureDir(client, path);
      try {
        await client.put(body, temporary);
        await client.posixRename(temporary, this.path(path));
      } catch (error) {
        await client.delete(temporary, true).catch(() => undefined);
        throw error;
      }
    });
  }

  async move(from: string, to: string): Promise<void> {
    await this.use(async (client, sftp) => {
      await this.ensureDir(client, to);
      await client.posixRename(this.path(from), this.path(to));
      const now = new Date();
      await new Promise<void>((resolve, reject) => sftp.utimes(this.path(to), now, now, (error) => (error ? reject(error) : resolve())));
    });
  }

  async delete(path: string): Promise<void> {
    await this.use((client) => client.delete(this.path(path), true));
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await (await connection.catch(() => undefined))?.client.end().catch(() => undefined);
  }

  private async ensureDir(client: SftpClient, path: string): Promise<void> {
    const dir = this.path(dirOf(path));
    if (!(await client.exists(dir))) await client.mkdir(dir, true);
  }
}

function isNoSuchFile(error: unknown): boolean {
  return (error as { code?: number | string }).code === 2 || (error as { code?: string }).code === 'ENOENT' || /No such file/i.test((error as Error)?.message ?? '');
}
