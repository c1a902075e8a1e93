import { checkReadiness } from './health';
import { childTraceparent } from './trace';

describe('checkReadiness', () => {
  it('is ready only when every check passes, and says which one failed', async () => {
    const ok = await checkReadiness({ postgres: async () => undefined, kafka: async () => undefined });
    expect(ok.status).toBe('ready');
    const bad = await checkReadiness({ postgres: async () => undefined, kafka: async () => Promise.reject(new Error('no broker')) });
    expect(bad).toEqual({ status: 'not-ready', checks: { postgres: { status: 'up' }, kafka: { status: 'down', error: 'no broker' } } });
  });

  it('fails a check that hangs', async () => {
    const report = await checkReadiness({ slow: () => new Promise(() => undefined) }, 20);
    expect(report.checks.slow).toEqual({ status: 'down', error: 'slow check timed out after 20 ms' });
  });
});

describe('childTraceparent', () => {
  it('keeps the trace id and makes a new span', () => {
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const child = childTraceparent(parent);
    expect(child.startsWith('00-0af7651916cd43dd8448eb211c80319c-')).toBe(true);
    expect(child).not.toBe(parent);
  });
});
