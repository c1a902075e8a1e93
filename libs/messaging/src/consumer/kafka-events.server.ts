import { lastValueFrom } from 'rxjs';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { isEventType, topicOfEventType, type AnyHubEvent } from '@audience-hub/contracts';
import type { AnyEventHandler, EventContext } from './event-context';
import { EventConsumer, type EventConsumerOptions } from './event-consumer';

export type KafkaEventsServerOptions = Omit<EventConsumerOptions, 'topics' | 'handlerFor'>;

/**
 * A Nest microservice transport over kafkajs: `@EventPattern(EventTypes.X)` methods become the
 * handlers, and the topics to subscribe follow from the event types handled. Batches, the inbox,
 * retries and dead-lettering are the EventConsumer's; the handler gets `(event, EventContext)`.
 * `@EventPattern(EventTypes.X, BATCH)` makes it a batch handler (see BatchEventHandler): it gets
 * `(events, EventContext)`, consecutive events of that type applied as a set.
 */
export class KafkaEventsServer extends Server implements CustomTransportStrategy {
  private consumer?: EventConsumer;

  constructor(private readonly options: KafkaEventsServerOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const types = [...this.getHandlers().keys()];
      const unknown = types.filter((type) => !isEventType(type));
      if (unknown.length > 0) throw new Error(`@EventPattern names event types the contracts do not know: ${unknown.join(', ')}`);
      const topics = [...new Set(types.filter(isEventType).map((type) => topicOfEventType(type)))];
      const handlers = new Map<string, AnyEventHandler>(types.map((type) => [type, this.invoker(type)]));
      this.consumer = new EventConsumer({ ...this.options, topics, handlerFor: (type) => handlers.get(type) });
      await this.consumer.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** True once the group is joined and read positions are fixed (or there is nothing to consume). */
  isPositioned(): boolean {
    return this.consumer?.isPositioned ?? false;
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
  }

  on(): void {
    // Status events are logged by the consumer itself; nothing to subscribe to.
  }

  unwrap<T>(): T {
    return this.consumer?.raw as T;
  }

  /** Calls the Nest handler (with its interceptors and pipes) and surfaces its original error. */
  private invoker(type: string): AnyEventHandler {
    const call = async (payload: AnyHubEvent | AnyHubEvent[], context: EventContext) => {
      const handler = this.getHandlerByPattern(type);
      if (!handler) return;
      const result: unknown = await handler(payload, context);
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    };
    return this.getHandlerByPattern(type)?.extras?.batch ? { batch: call } : call;
  }
}

/** `@EventPattern(type, BATCH)`: the handler takes the batch's consecutive events of that type at once. */
export const BATCH = { batch: true } as const;
