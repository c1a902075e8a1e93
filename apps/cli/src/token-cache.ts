import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuthError, fetchToken, type ClientCredentials, type IssuedToken, type TokenSource } from '@audience-hub/client';

/** What `hub login` keeps: the token only, never the secret. */
export interface CachedToken extends IssuedToken {
  imsUrl: string;
  clientId: string;
}

/** `$XDG_CONFIG_HOME/audience-hub/token.json`, else `~/.config/audience-hub/token.json`. */
export function tokenFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'audience-hub', 'token.json');
}

export function readCachedToken(file: string): CachedToken | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CachedToken;
  } catch {
    return undefined;
  }
}

/** Written readable by its owner only (0600, in a 0700 directory), whatever the umask. */
export function writeCachedToken(file: string, token: CachedToken): void {
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(token, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function removeCachedToken(file: string): void {
  rmSync(file, { force: true });
}

/** Reused this long before expiry at most. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * The CLI's tokens: the cached one while valid for this IMS; else, with client credentials in the
 * environment or flags, a new one (cached again); else an AuthError telling to log in.
 */
export class CliTokenSource implements TokenSource {
  private current?: CachedToken;

  constructor(
    private readonly file: string,
    private readonly imsUrl: string,
    private readonly credentials?: Omit<ClientCredentials, 'imsUrl'>,
  ) {
    const cached = readCachedToken(file);
    if (cached && cached.imsUrl === imsUrl) this.current = cached;
  }

  async token(): Promise<string> {
    if (this.current && this.current.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return this.current.accessToken;
    if (!this.credentials) {
      throw new AuthError(
        this.current ? 'the cached token has expired: run `hub login`' : `not logged in to ${this.imsUrl}: run \`hub login\` (or set HUB_CLIENT_ID and HUB_CLIENT_SECRET)`,
      );
    }
    const issued = await fetchToken({ ...this.credentials, imsUrl: this.imsUrl });
    this.current = { ...issued, imsUrl: this.imsUrl, clientId: this.credentials.clientId };
    writeCachedToken(this.file, this.current);
    return issued.accessToken;
  }

  invalidate(): void {
    // Without credentials a new token cannot be had: keep the cached one so the 401 is reported.
    if (this.credentials) this.current = undefined;
  }
}
