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
  offset: string;
  /** 1 on first delivery to the handler; higher on retries. */
  attempt: number;
}

export type EventHandler = (event: AnyHubEvent, context: EventContext) => Promise<void>;
