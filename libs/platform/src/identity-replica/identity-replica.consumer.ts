import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional, BeforeApplicationShutdown } from '@nestjs/common';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { parseEvent, parseIdentityLinkKey, Topics } from '@audience-hub/contracts';
import { ChangelogConsumer, ChangelogRecord, DeadLetterPublisher, type Decoded, type Undecodable } from '@audience-hub/messaging';
import { eventsApplied, eventsDeadLettered } from '@audience-hub/observability';
import type { BaseConfig } from '../config';
import { KAFKA, KAFKA_PRODUCER, SERVICE_CONFIG, SERVICE_DESCRIPTOR } from '../tokens';
import type { ServiceDescriptor } from '../service-descriptor';
import { OperationalMetrics } from '../operational-metrics';
import { IDENTITY_CHANGES_LISTENER, type IdentityChangesListener } from './identity-changes.listener';
import { IdentityReplicaRepository, type IdentityLinkRecord } from './identity-replica.repository';

type LinkValue = Pick<IdentityLinkRecord, 'recipientId' | 'observedAt'>;

/** The consumer group of a service's replica: its own, so neither backlog delays the other. */
export const replicaConsumerGroup = (serviceGroup: string): string => `${serviceGroup}.identity-links`;

/**
 * Keeps the service's replica of the identity graph from idrec.identity-links.v1, one fetched
 * batch per transaction (see ChangelogConsumer), and hands the changed ids to the service's
 * listener in the same transaction.
 */
@Injectable()
export class IdentityReplicaConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('identity-replica');
  private readonly consumer: ChangelogConsumer<LinkValue>;

  constructor(
    dataSource: DataSource,
    repository: IdentityReplicaRepository,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_PRODUCER) producer: Producer,
    @Inject(SERVICE_CONFIG) config: BaseConfig,
    @Inject(SERVICE_DESCRIPTOR) descriptor: ServiceDescriptor,
    operationalMetrics: OperationalMetrics,
    @Optional() @Inject(IDENTITY_CHANGES_LISTENER) listener?: IdentityChangesListener,
  ) {
    const group = replicaConsumerGroup(config.KAFKA_CONSUMER_GROUP);
    operationalMetrics.watchConsumerGroup(group);
    this.consumer = new ChangelogConsumer<LinkValue>({
      kafka,
      dataSource,
      topic: Topics.idrecIdentityLinks,
      consumerGroup: group,
      deadLetters: new DeadLetterPublisher(producer, group, `/audience-hub/${descriptor.name}`),
      retry: { maxAttempts: config.EVENT_MAX_ATTEMPTS, backoffMs: config.EVENT_RETRY_BACKOFF_MS, maxBackoffMs: 10_000 },
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      maxBytesPerPartition: config.KAFKA_MAX_BYTES_PER_PARTITION,
      decode: decodeIdentityLink,
      apply: async (tx, records) => {
        await repository.apply(tx, records.map(toLinkRecord));
        await listener?.onIdentityChanges(tx);
      },
      log: (level, message, extra) => this.logger[level === 'info' ? 'log' : level](`${message} ${extra ? JSON.stringify(extra) : ''}`),
      metrics: { applied: (count) => eventsApplied.inc(count), deadLettered: () => eventsDeadLettered.inc() },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}

function toLinkRecord(record: ChangelogRecord<LinkValue>): IdentityLinkRecord {
  const key = parseIdentityLinkKey(record.key)!; // decode accepted only keys that parse
  return { ...key, recipientId: record.value?.recipientId ?? null, observedAt: record.value?.observedAt };
}

/** A key that names an org, data source and XC id; a value (when not a tombstone) that is a valid link for that key. */
export function decodeIdentityLink(message: KafkaMessage): Decoded<LinkValue> {
  const key = message.key?.toString('utf8') ?? '';
  const parts = parseIdentityLinkKey(key);
  if (!parts) return { ok: false, reason: 'key is not "<orgid>:<dataSourceId>/<xcId>"', errors: [`key: ${JSON.stringify(key.slice(0, 200))}`] };
  if (message.value === null || message.value.length === 0) return { ok: true, key, value: null };
  let raw: unknown;
  try {
    raw = JSON.parse(message.value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'value is not JSON', errors: ['value: expected a CloudEvents JSON object or a tombstone'], orgId: parts.orgId };
  }
  const parsed = parseEvent(Topics.idrecIdentityLinks, raw);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, errors: parsed.errors, ...known(raw, parts.orgId) };
  const event = parsed.event;
  const mismatch =
    event.partitionkey !== key ? 'partitionkey' : event.data.dataSourceId !== parts.dataSourceId ? 'data.dataSourceId' : event.data.xcId !== parts.xcId ? 'data.xcId' : undefined;
  if (mismatch)
    return { ok: false, reason: 'the link does not match its Kafka key', errors: [`${mismatch}: does not match the key ${JSON.stringify(key)}`], ...known(raw, parts.orgId) };
  return { ok: true, key, value: { recipientId: event.data.recipientId, observedAt: event.data.observedAt } };
}

/** What a refusal can tell of the event, for its dead letter. */
function known(raw: unknown, orgId: string): Pick<Undecodable, 'orgId' | 'eventId' | 'eventType'> {
  const envelope = (raw && typeof raw === 'object' ? raw : {}) as { id?: unknown; type?: unknown };
  return { orgId, eventId: typeof envelope.id === 'string' ? envelope.id : undefined, eventType: typeof envelope.type === 'string' ? envelope.type : undefined };
}
