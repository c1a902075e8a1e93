import { createHash } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { topicOfEventType, type AnyHubEvent } from '@audience-hub/contracts';
import { sendToTopics } from '../kafka-client';
import { typeHeader } from '../event-type-header';

/**
 * Sends the answers of read-only handlers straight to Kafka, without the outbox: an answer that
 * reflects no state change has nothing to commit with, and sending it through Postgres would
 * write, read and mark every byte once more. Sent before the request's offset moves on, so a
 * crash answers again on redelivery; `answerId` makes that second answer a duplicate the
 * requester's inbox drops.
 */
export class DirectPublisher {
  constructor(private readonly producer: Producer) {}

  /** Sends events already validated against their contracts (the BatchProcessor does, per handler). */
  async send(events: readonly AnyHubEvent[]): Promise<void> {
    await sendToTopics(
      this.producer,
      events.map((event) => ({
        topic: topicOfEventType(event.type),
        message: { key: event.partitionkey, value: JSON.stringify(event), headers: typeHeader(event.type) },
      })),
    );
  }
}

/**
 * The id of the `index`-th event published while handling event `causeId`: the same on every
 * delivery of the cause (a name-based UUID, version 5 layout, from SHA-1).
 */
export function answerId(causeId: string, index: number): string {
  const hash = createHash('sha1').update(`${causeId}/${index}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
