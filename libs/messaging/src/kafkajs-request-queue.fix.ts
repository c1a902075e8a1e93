/**
 * kafkajs 2.2.4 (its last release) re-arms a timer after every response, even with nothing waiting
 * and no throttle: `setTimeout(check, throttledUntil - Date.now())` with `throttledUntil = -1` is a
 * negative delay, run after 1 ms, which re-arms it again. Every broker connection of every process
 * thus wakes up about a thousand times a second for nothing (tulios/kafkajs#1704), and Node 24
 * prints a TimeoutNegativeWarning for it (#1751). The fix proposed there: arm the timer only while a
 * request waits (or a throttle runs); `push` and every response check the queue themselves.
 */
interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own re-check interval while requests wait without a throttle. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueLike };

RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueLike): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  if (this.pending.length === 0 && untilUnthrottled <= 0) return;
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
  );
};

export { RequestQueue as PatchedRequestQueue };
