import { PatchedRequestQueue } from './kafkajs-request-queue.fix';

type Queue = { pending: unknown[]; throttledUntil: number; throttleCheckTimeoutId: NodeJS.Timeout | null; scheduleCheckPendingRequests(): void; checkPendingRequests(): void };
const RequestQueue = PatchedRequestQueue as unknown as new (options: Record<string, unknown>) => Queue;
const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queue = () => new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: true, clientId: 'spec', broker: 'b:1', logger });

describe("kafkajs's request queue, fixed", () => {
  afterEach(() => jest.useRealTimers());

  it('arms no timer when nothing waits and nothing throttles (kafkajs re-armed one every millisecond)', () => {
    const q = queue();
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('checks waiting requests again after 10 ms, or when a throttle ends', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const waiting = queue();
    const checked = jest.spyOn(waiting, 'checkPendingRequests').mockImplementation(() => undefined);
    waiting.pending.push({});
    waiting.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(9);
    expect(checked).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(checked).toHaveBeenCalledTimes(1);

    const throttled = queue();
    const throttleChecked = jest.spyOn(throttled, 'checkPendingRequests').mockImplementation(() => undefined);
    throttled.throttledUntil = Date.now() + 500;
    throttled.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(499);
    expect(throttleChecked).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(throttleChecked).toHaveBeenCalledTimes(1);
  });
});
