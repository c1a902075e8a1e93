import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { S3ProxyServer, SftpServer, waitFor } from '@audience-hub/testing';
import { openFileTransport, type FileTransport } from '@audience-hub/platform';

/** The same contract on a real SFTP server (Debian's OpenSSH) and a real S3 protocol server (S3Proxy). */
describe('file transports on real servers', () => {
  let sftpd: SftpServer;
  let s3: S3ProxyServer;
  const open: FileTransport[] = [];
  const transport = (location: string, env: NodeJS.ProcessEnv) => {
    const opened = openFileTransport(location, env);
    open.push(opened);
    return opened;
  };

  beforeAll(async () => {
    [sftpd, s3] = await Promise.all([SftpServer.start(), S3ProxyServer.start()]);
    s3.createBucket('hub');
  });
  afterAll(async () => {
    await Promise.all(open.map((opened) => opened.close()));
    await Promise.all([sftpd?.stop(), s3?.stop()]);
  });

  const cases: Array<[string, () => FileTransport]> = [
    ['sftp', () => transport(sftpd.location('contract'), sftpd.env)],
    ['s3', () => transport(s3.location('hub', 'contract'), s3.env)],
  ];

  describe.each(cases)('%s', (_scheme, make) => {
    it('lists, stats, reads, moves and deletes', async () => {
      const files = make();
      expect(await files.list()).toEqual([]);
      await files.write('a.sync', Readable.from(['one\n', 'two\n']));
      const [entry] = await files.list();
      expect(entry).toMatchObject({ name: 'a.sync', size: 8 });
      expect(entry.version).not.toBe('');
      expect(await files.stat('a.sync')).toMatchObject({ size: 8, version: entry.version });
      expect(await text(await files.read('a.sync'))).toBe('one\ntwo\n');
      await files.move('a.sync', 'processed/a.sync');
      expect(await files.list()).toEqual([]);
      expect((await files.list('processed')).map((moved) => moved.name)).toEqual(['a.sync']);
      await files.delete('processed/a.sync');
      expect(await files.stat('processed/a.sync')).toBeUndefined();
    });

    it('publishes a write only once whole, several parts and megabytes streamed', async () => {
      const files = make();
      const body = new PassThrough();
      const content = randomBytes(9 * 1024 * 1024); // more than one 8 MiB S3 part
      const writing = files.write('big.gz', body);
      body.write(content.subarray(0, 5 * 1024 * 1024));
      // Half sent: nobody sees the file under its name.
      await waitFor('the first half taken', async () => body.writableLength === 0);
      expect(await files.stat('big.gz')).toBeUndefined();
      body.end(content.subarray(5 * 1024 * 1024));
      await writing;
      expect(await files.stat('big.gz')).toMatchObject({ size: content.length });
      expect((await buffer(await files.read('big.gz'))).equals(content)).toBe(true);
      expect((await files.list()).map((entry) => entry.name)).toEqual(['big.gz']); // no temporary left
      await files.delete('big.gz');
    });
  });

  it('sftp: refuses an unknown key or a host key other than the pinned one, saying so', async () => {
    await expect(transport(sftpd.location(), { FILES_SFTP_PRIVATE_KEY_FILE: sftpd.strangerKeyFile }).list()).rejects.toThrow(/authentication/i);
    const otherPin = sftpd.location().replace(/hostKey=[^&]+/, `hostKey=${encodeURIComponent('SHA256:' + randomBytes(32).toString('base64').replace(/=+$/, ''))}`);
    await expect(transport(otherPin, sftpd.env).list()).rejects.toThrow(/host key/i);
  });

  it('s3: refuses a wrong secret, and works again once the server is back after an outage', async () => {
    await expect(transport(s3.location('hub'), { ...s3.env, FILES_S3_SECRET_ACCESS_KEY: 'wrong' }).list()).rejects.toThrow(/signature|denied|forbidden/i);
    const files = make('s3');
    await s3.pause();
    await expect(files.write('during-outage', Readable.from(['x']))).rejects.toThrow();
    await s3.restart();
    await files.write('after-outage', Readable.from(['x']));
    expect(await files.stat('after-outage')).toMatchObject({ size: 1 });
  });

  it('sftp: connects again after the server was stopped and started', async () => {
    const files = make('sftp');
    await files.write('before', Readable.from(['x']));
    await sftpd.pause();
    await sftpd.restart();
    // The first call may still meet the dead connection; the next one opens a new one.
    await waitFor('sftp answers again', async () => (await files.list().catch(() => undefined))?.some((entry) => entry.name === 'before') === true);
  });

  function make(scheme: 'sftp' | 's3'): FileTransport {
    return cases.find(([name]) => name === scheme)![1]();
  }
});
