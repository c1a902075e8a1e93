import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { joinPath, temporaryName } from './file-transport';
import { FileLocationError, openFileTransport } from './open-file-transport';
import { transportSecret } from './transport-secrets';

describe('file locations', () => {
  it('opens each scheme from its URL, credentials from the environment only', () => {
    expect(openFileTransport('file:///tmp/inbox').scheme).toBe('file');
    const s3 = openFileTransport('s3://bucket/in/acme?endpoint=http://127.0.0.1:9000&pathStyle=true', { FILES_S3_ACCESS_KEY_ID: 'id', FILES_S3_SECRET_ACCESS_KEY: 'secret' });
    expect(s3.scheme).toBe('s3');
    expect(s3.location).not.toContain('secret');
    const sftp = openFileTransport('sftp://hub@sftp.example:2222/upload?hostKey=SHA256:abc', { FILES_SFTP_PASSWORD: 'pw' });
    expect(sftp.scheme).toBe('sftp');
    expect(sftp.location).not.toContain('pw');
  });

  it('refuses what cannot work, saying why', () => {
    expect(() => openFileTransport('ftp://host/x')).toThrow(FileLocationError);
    expect(() => openFileTransport('sftp://hub:pw@host/x?hostKey=SHA256:a')).toThrow(/password/);
    expect(() => openFileTransport('sftp://hub@host/x', { FILES_SFTP_PASSWORD: 'pw' })).toThrow(/host key/);
    expect(() => openFileTransport('sftp://hub@host/x?hostKey=SHA256:a', {})).toThrow(/FILES_SFTP_PRIVATE_KEY/);
    expect(() => openFileTransport('s3://bucket/x', { FILES_S3_ACCESS_KEY_ID: 'id' })).toThrow(/go together/);
  });

  it('reads a secret from its variable or its _FILE, a profile first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-'));
    try {
      writeFileSync(join(dir, 'pw'), 'from-file\n');
      expect(transportSecret('FILES_SFTP_PASSWORD', undefined, { FILES_SFTP_PASSWORD_FILE: join(dir, 'pw') })).toBe('from-file');
      expect(transportSecret('FILES_SFTP_PASSWORD', 'acme', { FILES_SFTP_PASSWORD: 'shared', FILES_ACME_SFTP_PASSWORD: 'acme' })).toBe('acme');
      expect(transportSecret('FILES_SFTP_PASSWORD', 'other', { FILES_SFTP_PASSWORD: 'shared' })).toBe('shared');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('joins relative paths and hides temporary names', () => {
    expect(joinPath('', 'a/', '/b')).toBe('a/b');
    expect(temporaryName('out/x.gz')).toMatch(/^out\/\.x\.gz\..+\.part$/);
  });

  it('file://: writes atomically, lists, moves (stamping the move), deletes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'transport-'));
    const transport = openFileTransport(`file://${dir}`);
    try {
      await transport.write('a.sync', Readable.from(['line\n']));
      expect((await transport.list()).map((entry) => entry.name)).toEqual(['a.sync']);
      const before = Date.now() - 1_000;
      await transport.move('a.sync', 'processed/a.sync');
      expect(await transport.list()).toEqual([]);
      const [moved] = await transport.list('processed');
      expect(moved.modifiedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(await text(await transport.read('processed/a.sync'))).toBe('line\n');
      await transport.delete('processed/a.sync');
      expect(await transport.stat('processed/a.sync')).toBeUndefined();
      expect(await transport.list('missing')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
