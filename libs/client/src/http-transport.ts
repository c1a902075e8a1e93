import { DEFAULT_RETRY_POLICY, RETRIED_STATUSES, retryDelayMs, type RetryPolicy } from './retry-policy';
import { AuthError, type TokenSource } from './token-source';

/** RFC 9457 problem details, as every service answers its errors. */
export interface Problem {
  type: string;
  title?: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

/** A service answered an error (after retries, for 429 and 503); `problem` is its problem+json body. */
export class HubApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    readonly method: string,
    readonly url: string,
  ) {
    super(`${method} ${url} answered ${status}${problem?.detail ? `: ${problem.detail}` : problem?.title ? `: ${problem.title}` : ''}`);
    this.name = 'HubApiError';
  }

  /** The last segment of the problem type, e.g. `not-found`, `validation`, `file-refused`. */
  get kind(): string | undefined {
    return this.problem?.type?.split('/').pop();
  }
}

export interface TransportOptions {
  tokens: TokenSource;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  /** Headers sent with every request (say, the caller's W3C `traceparent`, so the hub's spans join its trace). */
  headers?: Record<string, string>;
  /** How waits happen; tests pass one that records them instead. */
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  /** JSON-encoded unless it is a string, Uint8Array or stream (sent as is, with `contentType`). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * HTTP to one service with a bearer token: retries 429 and 503 (Retry-After honoured, else
 * backoff), and on a 401 fetches a new token once and tries again.
 */
export class HttpTransport {
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly baseUrl: string,
    private readonly options: TransportOptions,
  ) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.urlOf(path, options.query);
    const raw = options.body;
    const isRaw = typeof raw === 'string' || raw instanceof Uint8Array;
    const body = raw === undefined ? undefined : isRaw ? raw : JSON.stringify(raw);
    const contentType = raw === undefined ? undefined : (options.contentType ?? (isRaw ? 'application/octet-stream' : 'application/json'));
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = {
        accept: 'application/json',
        authorization: `Bearer ${await this.options.tokens.token()}`,
        ...this.options.headers,
        ...options.headers,
      };
      if (contentType) headers['content-type'] = contentType;
      const response = await this.fetchImpl(url, { method, headers, body: body as RequestInit['body'] });
      if (response.status === 401 && !refreshed) {
        // A token revoked or expired in flight: one new token, one more try.
        refreshed = true;
        this.options.tokens.invalidate();
        await response.body?.cancel();
        attempt--;
        continue;
      }
      if (RETRIED_STATUSES.has(response.status) && attempt < this.policy.maxAttempts) {
        await response.body?.cancel();
        await this.sleep(retryDelayMs(this.policy, attempt, response.headers.get('retry-after')));
        continue;
      }
      const text = await response.text();
      const parsed = text ? safeJson(text) : undefined;
      if (response.ok) return parsed as T;
      if (response.status === 401) throw new AuthError(`${method} ${url}: the token was refused (401)`, 401, parsed);
      throw new HubApiError(response.status, parsed as Problem | undefined, method, url);
    }
  }

  private urlOf(path: string, query: RequestOptions['query']): string {
    const url = new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    return url.toString();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { type: 'about:blank', status: 0, detail: text.slice(0, 500) };
  }
}
