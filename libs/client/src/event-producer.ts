import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { EVENT_TYPE_HEADER, topicOfEventType, type HubEvent, type EventType } from '@audience-hub/contracts';
import {
  audienceMembersEvents,
  listMembersEvents,
  upstreamEvent,
  type AudienceSnapshot,
  type ListMembershipChange,
  type UpstreamEventInput,
  type UpstreamEventType,
} from './upstream-events';

export interface EventProducerOptions {
  brokers: string[];
  /** The envelope's `source`, e.g. `/campaign` or `/xc/audience-manager`. */
  source: string;
  /** KAFKA_TOPIC_PREFIX of the hub's environment (topics on the broker are `<prefix><contract name>`). */
  topicPrefix?: string;
  clientId?: string;
}

/**
 * Publishes Campaign and XC events to the hub's topics as the services expect them: valid envelopes,
 * keyed by `partitionkey`, the `ce_type` header set, membership in chunks of at most 10,000 ids,
 * and an idempotent producer (no duplicates from its own retries; stable event ids for the rest).
 * Kept on kafkajs and the contracts only, so upstream systems need nothing of the services.
 */
export class HubEventProducer {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(private readonly options: EventProducerOptions) {
    const kafka = new Kafka({ clientId: options.clientId ?? 'audience-hub-client', brokers: options.brokers, logLevel: logLevel.WARN });
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  }

  /** Publishes one event of any Campaign or XC type. */
  async publish<T extends UpstreamEventType>(input: UpstreamEventInput<T>): Promise<HubEvent> {
    const event = upstreamEvent(this.options.source, input);
    await this.send([event]);
    return event;
  }

  /** Publishes many events of one type in one request per topic (say, a batch of Campaign's observations). */
  async publishMany<T extends UpstreamEventType>(inputs: ReadonlyArray<UpstreamEventInput<T>>): Promise<HubEvent[]> {
    const events = inputs.map((input) => upstreamEvent(this.options.source, input));
    await this.send(events);
    return events;
  }

  /** An XC audience snapshot, in parts. */
  async audienceMembers(snapshot: AudienceSnapshot): Promise<HubEvent[]> {
    const events = audienceMembersEvents(this.options.source, snapshot);
    await this.send(events);
    return events;
  }

  /** A Campaign list's membership change, in chunks. */
  async listMembers(change: ListMembershipChange): Promise<HubEvent[]> {
    const events = listMembersEvents(this.options.source, change);
    await this.send(events);
    return events;
  }

  /** Sends built events (from upstreamEvent and the chunkers), grouped by topic, acknowledged by all replicas. */
  async send(events: readonly HubEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.connected ??= this.producer.connect();
    await this.connected;
    const byTopic = new Map<string, HubEvent[]>();
    for (const event of events) {
      const topic = `${this.options.topicPrefix ?? ''}${topicOfEventType(event.type as EventType)}`;
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), event]);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((event) => ({ key: event.partitionkey, value: JSON.stringify(event), headers: { [EVENT_TYPE_HEADER]: event.type } })),
      })),
    });
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
  }
}
