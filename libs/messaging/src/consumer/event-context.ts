import type { EntityManager } from 'typeorm';
import type { AnyHubEvent } from '@audience-hub/contracts';

/** What a handler gets besides the event: the transaction its effect must use, and the outbox of that transaction. */
export interface EventContext {
  /** The transaction shared by the effect, the inbox record and any events published. */
  manager: EntityManager;
  /** Enqueues events in the same transaction (transactional outbox). */
  publish(events: AnyHubEvent | readonly AnyHubEvent[]): Promise<void>;
  topic: string;
  partition: number;
  /** The event's offset; for a batch handler, the last event's. */
  offset: string;
  /** 1 on first delivery to the handler; higher on retries. */
  attempt: number;
}

export type EventHandler = (event: AnyHubEvent, context: EventContext) => Promise<void>;

/**
 * Applies consecutive events of one type as a set, in the consumer's transaction: a few statements
 * per batch instead of several per event. The events are in partition order and not applied
 * before (the inbox filtered them); the effect must be the one the events would have one by one.
 * To reject or fail one event, throw EventInBatchFailedError with its index.
 */
export interface BatchEventHandler {
  batch(events: AnyHubEvent[], context: EventContext): Promise<void>;
}

export type AnyEventHandler = EventHandler | BatchEventHandler;
