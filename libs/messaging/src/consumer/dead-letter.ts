import type { Producer, IHeaders } from 'kafkajs';
import { physicalTopic } from '../topic-names';
import { typeHeader } from '../event-type-header';
import { createEvent, DeadLetterHeaders, Topics, EventTypes, ImsOrgIdSchema } from '@audience-hub/contracts';

/** Org named on a rejection notice when the rejected message carried no valid org of its own. */
export const UNKNOWN_ORG_ID = '000000000000000000000000@AdobeOrg';

export interface RejectedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  /** Present when the value parsed far enough to tell. */
  eventId?: string;
  eventType?: string;
  orgId?: string;
}

export interface Rejection {
  reason: string;
  errors: string[];
  attempts: number;
}

/**
 * Sends a message that cannot be applied to the dead-letter topic (original bytes, reason in headers)
 * and tells its producer with a `hub.event.rejected` event. Both go out before the offset moves on.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly consumerGroup: string,
    private readonly source: string,
  ) {}

  async reject(message: RejectedMessage, rejection: Rejection): Promise<void> {
    const orgId = message.orgId && ImsOrgIdSchema.safeParse(message.orgId).success ? message.orgId : UNKNOWN_ORG_ID;
    const notice = createEvent({
      type: EventTypes.hubEventRejected,
      source: this.source,
      orgId,
      aggregateId: `${message.topic}-${message.partition}-${message.offset}`,
      data: {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        consumerGroup: this.consumerGroup,
        eventId: message.eventId,
        eventType: message.eventType,
        reason: rejection.reason,
        errors: rejection.errors.slice(0, 50),
      },
    });
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [
        {
          topic: physicalTopic(Topics.hubDeadLetter),
          messages: [
            {
              key: message.key,
              value: message.value,
              headers: {
                ...message.headers,
                [DeadLetterHeaders.reason]: rejection.reason,
                [DeadLetterHeaders.errors]: JSON.stringify(rejection.errors.slice(0, 50)),
                [DeadLetterHeaders.originalTopic]: message.topic,
                [DeadLetterHeaders.originalPartition]: String(message.partition),
                [DeadLetterHeaders.originalOffset]: message.offset,
                [DeadLetterHeaders.consumerGroup]: this.consumerGroup,
                [DeadLetterHeaders.attempts]: String(rejection.attempts),
              },
            },
          ],
        },
        { topic: physicalTopic(Topics.hubRejections), messages: [{ key: notice.partitionkey, value: JSON.stringify(notice), headers: typeHeader(notice.type) }] },
      ],
    });
  }
}
