import { fileURLToPath } from 'node:url';
import type { FileTransport } from './file-transport';
import { LocalFileTransport } from './local-file-transport';
import { MeteredFileTransport } from './metered-file-transport';
import { S3FileTransport } from './s3-file-transport';
import { SftpFileTransport } from './sftp-file-transport';
import { transportSecret } from './transport-secrets';

/** Thrown for a location URL that cannot work, naming what is wrong (read at start-up, so the service fails fast). */
export class FileLocationError extends Error {}

/**
 * Opens the transport of a location URL. Only non-secret settings go in the URL; credentials come
 * from the environment (transportSecret), so a URL can be logged, stored and shown.
 *   file:///var/hub/inbox
 *   s3://bucket/prefix?region=eu-west-1[&endpoint=http://minio:9000&pathStyle=true][&profile=acme]
 *     FILES_S3_ACCESS_KEY_ID, FILES_S3_SECRET_ACCESS_KEY[, FILES_S3_SESSION_TOKEN]; else the AWS SDK's default chain
 *   sftp://user@host:22/path?hostKey=SHA256:…[&profile=acme]
 *     FILES_SFTP_PRIVATE_KEY (PEM or OpenSSH key, FILES_SFTP_PASSPHRASE if it has one) or FILES_SFTP_PASSWORD
 */
export function openFileTransport(location: string, env: NodeJS.ProcessEnv = process.env): FileTransport {
  return new MeteredFileTransport(transportOf(location, env));
}

function transportOf(location: string, env: NodeJS.ProcessEnv): FileTransport {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new FileLocationError(`not a URL: ${location}`);
  }
  if (url.password) throw new FileLocationError(`${url.protocol}// location carries a password: put it in FILES_SFTP_PASSWORD(_FILE) instead`);
  const query = url.searchParams;
  const profile = query.get('profile') ?? undefined;
  const secret = (variable: `FILES_${string}`) => transportSecret(variable, profile, env);
  const shown = url.toString();
  switch (url.protocol) {
    case 'file:':
      return new LocalFileTransport(shown, fileURLToPath(new URL(url.pathname, 'file://')));
    case 's3:': {
      if (!url.hostname) throw new FileLocationError(`s3 location names no bucket: ${shown}`);
      const accessKeyId = secret('FILES_S3_ACCESS_KEY_ID');
      const secretAccessKey = secret('FILES_S3_SECRET_ACCESS_KEY');
      if (!!accessKeyId !== !!secretAccessKey) throw new FileLocationError('FILES_S3_ACCESS_KEY_ID and FILES_S3_SECRET_ACCESS_KEY go together');
      return new S3FileTransport(shown, {
        bucket: url.hostname,
        prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''),
        client: {
          region: query.get('region') ?? env.AWS_REGION ?? 'us-east-1',
          endpoint: query.get('endpoint') ?? undefined,
          forcePathStyle: query.get('pathStyle') === 'true',
          credentials: accessKeyId ? { accessKeyId, secretAccessKey: secretAccessKey!, sessionToken: secret('FILES_S3_SESSION_TOKEN') } : undefined,
          maxAttempts: 3,
          // Checksum headers only where S3 demands them: S3-compatible stores (S3Proxy, older MinIO) refuse the newer ones.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        },
      });
    }
    case 'sftp:': {
      if (!url.username || !url.hostname) throw new FileLocationError(`sftp location needs a user and a host: ${shown}`);
      const hostKey = query.get('hostKey');
      if (!hostKey?.startsWith('SHA256:')) throw new FileLocationError(`sftp location pins no host key: add ?hostKey=SHA256:… (ssh-keygen -lf the server's key) to ${shown}`);
      const privateKey = secret('FILES_SFTP_PRIVATE_KEY');
      const password = secret('FILES_SFTP_PASSWORD');
      if (!privateKey && !password) throw new FileLocationError(`no credentials for ${shown}: set FILES_SFTP_PRIVATE_KEY(_FILE) or FILES_SFTP_PASSWORD(_FILE)`);
      return new SftpFileTransport(shown, {
        host: url.hostname,
        port: Number(url.port || 22),
        username: decodeURIComponent(url.username),
        root: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''),
        privateKey,
        passphrase: secret('FILES_SFTP_PASSPHRASE'),
        password,
        hostKeySha256: hostKey,
      });
    }
    default:
      throw new FileLocationError(`unsupported location ${url.protocol}// (file://, s3:// or sftp://): ${shown}`);
  }
}
