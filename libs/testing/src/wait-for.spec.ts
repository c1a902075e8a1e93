import { StopWaiting, waitFor } from './wait-for';

describe('waitFor', () => {
  it('retries a probe that throws until it answers', async () => {
    let calls = 0;
    const value = await waitFor(
      'third call',
      () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
        return calls;
      },
      { timeoutMs: 5_000, intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it('ends at once when the probe throws StopWaiting', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      waitFor(
        'a service that exited',
        () => {
          calls++;
          throw new StopWaiting('the service exited');
        },
        { timeoutMs: 60_000, intervalMs: 1 },
      ),
    ).rejects.toThrow('the service exited');
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('times out with the last error', async () => {
    const down = () => {
      throw new Error('still down');
    };
    await expect(waitFor('never', down, { timeoutMs: 20, intervalMs: 1 })).rejects.toThrow(/timed out after 20 ms waiting for never \(last error: still down\)/);
  });
});
