import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildServer } from './child-server';
import { REPO_ROOT } from './infra';
import { freePort } from './service-launcher';

/**
 * S3Proxy (org.gaul:s3proxy, fetched by `bash infra/s3proxy.sh fetch`, as .ci/run does) on a free
 * loopback port with its filesystem backend in a temporary directory, SigV4 with one key pair:
 * a real S3 protocol server, no fake. `env` holds what a service needs to reach it.
 */
export class S3ProxyServer {
  readonly accessKeyId = 'hub-test-key';
  readonly secretAccessKey = 'hub-test-secret';

  private constructor(
    readonly endpoint: string,
    private readonly dir: string,
    private readonly server: ChildServer,
  ) {}

  static async start(jar = process.env.S3PROXY_JAR ?? join(REPO_ROOT, '.infra/s3proxy/s3proxy.jar')): Promise<S3ProxyServer> {
    if (!existsSync(jar)) throw new Error(`no S3Proxy jar at ${jar}: run \`bash infra/s3proxy.sh fetch\` (as .ci/run does)`);
    const dir = mkdtempSync(join(tmpdir(), 's3proxy-'));
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    mkdirSync(join(dir, 'data'));
    const properties = [
      `s3proxy.endpoint=${endpoint}`,
      's3proxy.authorization=aws-v2-or-v4',
      's3proxy.identity=hub-test-key',
      's3proxy.credential=hub-test-secret',
      'jclouds.provider=filesystem',
      `jclouds.filesystem.basedir=${join(dir, 'data')}`,
    ];
    writeFileSync(join(dir, 's3proxy.conf'), properties.join('\n'));
    // Any HTTP answer (403 to an anonymous request) means it serves.
    const ready = async () => (await fetch(endpoint).catch(() => undefined)) !== undefined;
    const server = new ChildServer('s3proxy', 'java', ['-Xmx256m', '-jar', jar, '--properties', join(dir, 's3proxy.conf')], ready, 'install Java 17 (default-jre-headless)');
    await server.start();
    return new S3ProxyServer(endpoint, dir, server);
  }

  /** A bucket is a folder of the filesystem backend. */
  createBucket(name: string): void {
    mkdirSync(join(this.dir, 'data', name), { recursive: true });
  }

  /** The location URL of `bucket/prefix` on this server. */
  location(bucket: string, prefix = ''): string {
    return `s3://${bucket}/${prefix}?endpoint=${encodeURIComponent(this.endpoint)}&pathStyle=true&region=us-east-1`;
  }

  /** The variables holding its credentials, for a service or openFileTransport. */
  get env(): Record<string, string> {
    return { FILES_S3_ACCESS_KEY_ID: this.accessKeyId, FILES_S3_SECRET_ACCESS_KEY: this.secretAccessKey };
  }

  logs(): string {
    return this.server.logs();
  }

  /** Stops the server, keeping its data: `restart` serves the same objects on the same port. */
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
