import { retryRetriable } from './retriable';

describe('retryRetriable', () => {
  const retriable = Object.assign(new Error('This server is not the leader for that topic-partition'), { retriable: true });

  it('calls again while the error is retriable, and returns the first success', async () => {
    let calls = 0;
    const result = await retryRetriable(async () => {
      if (++calls < 3) throw retriable;
      return 'ends';
    });
    expect(result).toBe('ends');
    expect(calls).toBe(3);
  });

  it('throws an error that is not retriable at once', async () => {
    let calls = 0;
    const fatal = Object.assign(new Error('unknown topic'), { retriable: false });
    await expect(
      retryRetriable(async () => {
        calls++;
        throw fatal;
      }),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  it('gives up after its time with the last error', async () => {
    await expect(
      retryRetriable(async () => {
        throw retriable;
      }, 50),
    ).rejects.toBe(retriable);
  });
});
