import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ChildServer } from './child-server';
import { freePort } from './service-launcher';

const SSHD = '/usr/sbin/sshd';

/**
 * Debian's OpenSSH server (apt-get install openssh-server, as .ci/run does; its system service is
 * never used) as a foreground child `sshd -D -f <own config>` on a free loopback port: its own
 * host key, the current user admitted with one generated key only, the internal-sftp subsystem.
 * Files live under `root` (a temporary directory); locations name it by absolute path.
 */
export class SftpServer {
  private constructor(
    readonly port: number,
    readonly root: string,
    readonly hostKeySha256: string,
    readonly privateKeyFile: string,
    /** A key the server does not admit, for the wrong-credentials case. */
    readonly strangerKeyFile: string,
    private readonly dir: string,
    private readonly server: ChildServer,
  ) {}

  static async start(): Promise<SftpServer> {
    if (!existsSync(SSHD)) throw new Error(`no ${SSHD}: apt-get install -y openssh-server (as .ci/run does)`);
    const dir = mkdtempSync(join(tmpdir(), 'sftpd-'));
    const root = join(dir, 'files');
    mkdirSync(root);
    const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'audience-hub-test', '-f', join(dir, file)]);
    keygen('host_key');
    keygen('client_key');
    keygen('stranger_key');
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), { mode: 0o600 });
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'host_key.pub')], { encoding: 'utf8' }).split(' ')[1];
    // sshd wants its privilege-separation directory, which the package's service would create.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const port = await freePort();
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      'PidFile none',
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      `AllowUsers ${userInfo().username}`,
      'Subsystem sftp internal-sftp',
      'ForceCommand internal-sftp',
      'LogLevel ERROR',
    ];
    writeFileSync(join(dir, 'sshd_config'), config.join('\n') + '\n');
    const ready = () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('data', (banner) => {
          socket.destroy();
          resolve(banner.toString().startsWith('SSH-'));
        });
        socket.once('error', () => resolve(false));
      });
    const server = new ChildServer('sshd', SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], ready, 'apt-get install -y openssh-server');
    await server.start();
    return new SftpServer(port, root, fingerprint, join(dir, 'client_key'), join(dir, 'stranger_key'), dir, server);
  }

  /** The location URL of `path` (relative to root) as the current user, host key pinned. */
  location(path = ''): string {
    return `sftp://${userInfo().username}@127.0.0.1:${this.port}${join(this.root, path)}?hostKey=${encodeURIComponent(this.hostKeySha256)}`;
  }

  /** The variables holding the admitted key, for a service or openFileTransport. */
  get env(): Record<string, string> {
    return { FILES_SFTP_PRIVATE_KEY_FILE: this.privateKeyFile };
  }

  logs(): string {
    return this.server.logs();
  }

  /** Stops listening (open sessions may linger); `restart` listens again on the same port. */
  pause(): Promise<void> {
    return this.server.stop();
  }

  /** Starts it again after `pause` (nothing when it runs). */
  restart(): Promise<void> {
    return this.server.start();
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
