/**
 * Thrown by a handler when the event itself is unacceptable (unknown org, unknown data source…):
 * retrying cannot help, so it goes straight to the dead-letter topic with this reason.
 */
export class RejectEventError extends Error {
  constructor(
    readonly reason: string,
    readonly errors: string[] = [],
  ) {
    super(reason);
    this.name = 'RejectEventError';
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0].slice(0, 500);
  return String(error).slice(0, 500);
}

/**
 * Thrown by a batch handler when one event of its batch failed (`cause`, often a RejectEventError):
 * the consumer applies the events before it, retries or dead-letters it alone, and goes on after it.
 */
export class EventInBatchFailedError extends Error {
  constructor(
    /** The failed event's position in the batch the handler was given. */
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`event ${index} of the batch failed: ${describeError(cause)}`);
    this.name = 'EventInBatchFailedError';
  }
}
