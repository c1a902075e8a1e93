import { HttpTransport, HubApiError } from './http-transport';
import { AuthError, ClientCredentialsTokenSource, type TokenSource } from './token-source';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A fetch answering from a script, recording what was asked. */
function scripted(...answers: Array<() => Response>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return next();
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

const tokens = (...issued: string[]): TokenSource & { invalidated: number } => {
  let current: string | undefined;
  return {
    invalidated: 0,
    async token() {
      current ??= issued.shift();
      return current!;
    },
    invalidate() {
      this.invalidated++;
      current = undefined;
    },
  };
};

describe('HttpTransport', () => {
  it('waits what Retry-After asks on 429 and 503, then answers', async () => {
    const { calls, fetchImpl } = scripted(
      () => json(429, { type: 'x/rate-limited', status: 429 }, { 'retry-after': '2' }),
      () => json(503, { type: 'x/unavailable', status: 503 }, { 'retry-after': '1' }),
      () => json(200, { ok: true }),
    );
    const waits: number[] = [];
    const http = new HttpTransport('http://svc', { tokens: tokens('t1'), fetch: fetchImpl, sleep: async (ms) => void waits.push(ms) });
    await expect(http.request('GET', 'v1/things')).resolves.toEqual({ ok: true });
    expect(waits).toEqual([2000, 1000]);
    expect(calls).toHaveLength(3);
  });

  it('backs off exponentially without Retry-After and gives up after maxAttempts with the problem', async () => {
    const { calls, fetchImpl } = scripted(
      ...Array.from({ length: 3 }, () => () => json(503, { type: 'https://audience-hub.dev/problems/unavailable', status: 503, detail: 'draining' })),
    );
    const waits: number[] = [];
    const http = new HttpTransport('http://svc', { tokens: tokens('t1'), fetch: fetchImpl, sleep: async (ms) => void waits.push(ms), retry: { maxAttempts: 3, baseDelayMs: 100 } });
    const error = await http.request('GET', 'v1/things').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubApiError);
    expect((error as HubApiError).status).toBe(503);
    expect((error as HubApiError).kind).toBe('unavailable');
    expect(calls).toHaveLength(3);
    // jittered in the upper half of 100 then 200 ms
    expect(waits[0]).toBeGreaterThanOrEqual(50);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeGreaterThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it('does not retry other errors', async () => {
    const { calls, fetchImpl } = scripted(() => json(404, { type: 'https://audience-hub.dev/problems/not-found', status: 404, detail: 'no import imp-1' }));
    const http = new HttpTransport('http://svc', { tokens: tokens('t1'), fetch: fetchImpl });
    await expect(http.request('GET', 'v1/imports/imp-1')).rejects.toThrow('answered 404: no import imp-1');
    expect(calls).toHaveLength(1);
  });

  it('fetches a new token once on 401 and sends it', async () => {
    const { calls, fetchImpl } = scripted(
      () => json(401, { status: 401 }),
      () => json(200, { ok: true }),
    );
    const source = tokens('old', 'new');
    const http = new HttpTransport('http://svc', { tokens: source, fetch: fetchImpl });
    await expect(http.request('GET', 'v1/things')).resolves.toEqual({ ok: true });
    expect(source.invalidated).toBe(1);
    expect(calls.map((c) => (c.init.headers as Record<string, string>).authorization)).toEqual(['Bearer old', 'Bearer new']);
  });

  it('answers AuthError when the new token is refused too', async () => {
    const { fetchImpl } = scripted(
      () => json(401, { status: 401 }),
      () => json(401, { status: 401 }),
    );
    const http = new HttpTransport('http://svc', { tokens: tokens('a', 'b'), fetch: fetchImpl });
    await expect(http.request('GET', 'v1/things')).rejects.toBeInstanceOf(AuthError);
  });

  it('sends JSON bodies and query parameters, leaving empty ones out', async () => {
    const { calls, fetchImpl } = scripted(() => json(200, {}));
    const http = new HttpTransport('http://svc:3002', { tokens: tokens('t'), fetch: fetchImpl });
    await http.request('POST', 'v1/imports', { body: { a: 1 }, query: { limit: 5, cursor: undefined } });
    expect(calls[0].url).toBe('http://svc:3002/v1/imports?limit=5');
    expect(calls[0].init.body).toBe('{"a":1}');
    expect((calls[0].init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('sends the headers given for every request', async () => {
    const { calls, fetchImpl } = scripted(() => json(200, {}));
    const traceparent = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
    const http = new HttpTransport('http://svc', { tokens: tokens('t'), fetch: fetchImpl, headers: { traceparent } });
    await http.request('GET', 'v1/things');
    expect((calls[0].init.headers as Record<string, string>).traceparent).toBe(traceparent);
  });
});

describe('ClientCredentialsTokenSource', () => {
  it('reuses a token until a minute before it expires, then fetches another', async () => {
    let now = 0;
    const { calls, fetchImpl } = scripted(
      () => json(200, { access_token: 'one', expires_in: 120 }),
      () => json(200, { access_token: 'two', expires_in: 120 }),
    );
    const source = new ClientCredentialsTokenSource({ imsUrl: 'http://ims/', clientId: 'c', clientSecret: 's' }, fetchImpl, () => now);
    expect(await source.token()).toBe('one');
    now = 59_000;
    expect(await source.token()).toBe('one');
    now = 61_000;
    expect(await source.token()).toBe('two');
    expect(calls[0].url).toBe('http://ims/ims/token/v3');
    expect(String(calls[0].init.body)).toBe('grant_type=client_credentials&client_id=c&client_secret=s');
  });

  it('shares one grant between concurrent callers and fetches again after invalidate', async () => {
    const { calls, fetchImpl } = scripted(
      () => json(200, { access_token: 'one', expires_in: 3600 }),
      () => json(200, { access_token: 'two', expires_in: 3600 }),
    );
    const source = new ClientCredentialsTokenSource({ imsUrl: 'http://ims', clientId: 'c', clientSecret: 's' }, fetchImpl);
    expect(await Promise.all([source.token(), source.token()])).toEqual(['one', 'one']);
    source.invalidate();
    expect(await source.token()).toBe('two');
    expect(calls).toHaveLength(2);
  });

  it('raises AuthError with the IMS reason and its Retry-After', async () => {
    const { fetchImpl } = scripted(() => json(429, { error: 'slow_down', error_description: 'too many failures' }, { 'retry-after': '4' }));
    const source = new ClientCredentialsTokenSource({ imsUrl: 'http://ims', clientId: 'c', clientSecret: 's' }, fetchImpl);
    await expect(source.token()).rejects.toThrow('the IMS refused the credentials (429: too many failures); retry after 4 s');
  });
});
