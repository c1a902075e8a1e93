import { Inject, Injectable } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { physicalTopic } from '@audience-hub/messaging';
import { AuditTrail, type AuditActor } from '@audience-hub/audit';
import { AuditActions } from '@audience-hub/contracts';
import { KAFKA, KAFKA_PRODUCER, SERVICE_CONFIG } from '@audience-hub/platform';
import { summaryOf, type DeadLetter, type DeadLetterDetail, type DeadLetterView } from './dead-letter';
import { readDeadLetters } from './dead-letter-reader';

export interface DeadLetterFilter {
  ids?: readonly string[];
  topic?: string;
  type?: string;
}

/**
 * This service's dead letters (those its own consumer group wrote) of one org, and their redrive:
 * the original message sent again to its topic. The consumer's inbox makes a second redrive of an
 * event it then applied harmless.
 */
@Injectable()
export class DeadLettersService {
  private readonly group: string;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    @Inject(SERVICE_CONFIG) config: { KAFKA_CONSUMER_GROUP: string },
    private readonly audit: AuditTrail,
  ) {
    this.group = config.KAFKA_CONSUMER_GROUP;
  }

  async list(orgId: string, filter: DeadLetterFilter): Promise<DeadLetterView[]> {
    return (await this.find(orgId, filter)).map((letter) => summaryOf(letter.detail));
  }

  async get(orgId: string, id: string): Promise<DeadLetterDetail | undefined> {
    return (await this.find(orgId, { ids: [id] }))[0]?.detail;
  }

  /** Sends the letters back (unless `dryRun`); the audit trail records which, once they are sent. */
  async redrive(actor: AuditActor, filter: DeadLetterFilter, dryRun: boolean): Promise<DeadLetterView[]> {
    const letters = await this.find(actor.orgId, filter);
    if (!dryRun && letters.length > 0) {
      // One send, in dead-letter order: letters of one key keep their order on its partition.
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: letters.map((letter) => ({ topic: physicalTopic(letter.detail.topic), messages: [letter.original] })),
      });
      await this.audit.recordDone({ action: AuditActions.deadLettersRedrive, actor, target: { deadLetterIds: letters.map((letter) => letter.detail.id) } });
    }
    return letters.map((letter) => summaryOf(letter.detail));
  }

  /** Letters whose event names the caller's org: a letter without a readable org shows to no org. */
  private find(orgId: string, filter: DeadLetterFilter): Promise<DeadLetter[]> {
    const ids = filter.ids ? new Set(filter.ids) : undefined;
    return readDeadLetters(
      this.kafka,
      (letter) =>
        letter.consumerGroup === this.group &&
        letter.orgId === orgId &&
        (!ids || ids.has(letter.detail.id)) &&
        (!filter.topic || letter.detail.topic === filter.topic) &&
        (!filter.type || letter.detail.eventType === filter.type),
    );
  }
}
