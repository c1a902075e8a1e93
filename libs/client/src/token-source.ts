/** Where a client's bearer tokens come from. */
export interface TokenSource {
  /** A token believed valid (cached until shortly before it expires). */
  token(): Promise<string>;
  /** Forgets the cached token after a 401, so the next `token()` fetches a new one. */
  invalidate(): void;
}

export interface ClientCredentials {
  /** The IMS base URL, e.g. http://127.0.0.1:3000. */
  imsUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string[];
}

export interface IssuedToken {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Raised when the IMS refuses the credentials, or a token is missing or refused by a service. */
export class AuthError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly problem?: unknown,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/** Renewed this long before expiry, so a token never expires in flight. */
const EXPIRY_MARGIN_MS = 60_000;

/** The OAuth 2.0 client-credentials grant against the IMS (`POST /ims/token/v3`). */
export async function fetchToken(credentials: ClientCredentials, fetchImpl: typeof fetch = fetch, now: () => number = Date.now): Promise<IssuedToken> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret });
  if (credentials.scope?.length) form.set('scope', credentials.scope.join(' '));
  const response = await fetchImpl(`${credentials.imsUrl.replace(/\/$/, '')}/ims/token/v3`, { method: 'POST', body: form });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error_description?: string; detail?: string };
  if (!response.ok || !body.access_token) {
    const retryAfter = response.headers.get('retry-after');
    const why = body.error_description ?? body.detail ?? response.statusText;
    throw new AuthError(`the IMS refused the credentials (${response.status}: ${why})${retryAfter ? `; retry after ${retryAfter} s` : ''}`, response.status, body);
  }
  return { accessToken: body.access_token, expiresAt: now() + (body.expires_in ?? 3600) * 1000 };
}

/** Fetches tokens with client credentials and refreshes them before they expire or after a 401. */
export class ClientCredentialsTokenSource implements TokenSource {
  private current?: IssuedToken;
  private inFlight?: Promise<IssuedToken>;

  constructor(
    private readonly credentials: ClientCredentials,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly now: () => number = Date.now,
  ) {}

  async token(): Promise<string> {
    if (this.current && this.current.expiresAt - EXPIRY_MARGIN_MS > this.now()) return this.current.accessToken;
    // Concurrent callers share one grant.
    this.inFlight ??= fetchToken(this.credentials, this.fetchImpl, this.now).finally(() => (this.inFlight = undefined));
    this.current = await this.inFlight;
    return this.current.accessToken;
  }

  invalidate(): void {
    this.current = undefined;
  }
}

/** A token obtained elsewhere (e.g. `hub login`'s cache): nothing to refresh it with. */
export class StaticTokenSource implements TokenSource {
  constructor(private readonly accessToken: string) {}

  async token(): Promise<string> {
    return this.accessToken;
  }

  invalidate(): void {}
}
