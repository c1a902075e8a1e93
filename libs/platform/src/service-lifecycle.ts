import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { OutboxRelay, purgeInbox } from '@audience-hub/messaging';
import { flushTracing, outboxPublished } from '@audience-hub/observability';
import type { BaseConfig } from './config';
import type { ServiceDescriptor } from './service-descriptor';
import { KAFKA_PRODUCER, SERVICE_CONFIG, SERVICE_DESCRIPTOR } from './tokens';

/**
 * Owns the process-wide resources and their order: on start, the database is migrated and the
 * outbox relay runs; on shutdown the consumer stops fetching and finishes the batch in hand, HTTP
 * closes, the relay drains the outbox, then Kafka and Postgres connections close.
 */
@Injectable()
export class ServiceLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('lifecycle');
  readonly relay: OutboxRelay;
  private inboxPurge?: NodeJS.Timeout;
  /** The event consumer, stopped first on shutdown (before HTTP), so no new batch starts. */
  consumer?: { close(): Promise<void> | void; isPositioned(): boolean };

  constructor(
    private readonly dataSource: DataSource,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    @Inject(SERVICE_CONFIG) private readonly config: BaseConfig,
    @Inject(SERVICE_DESCRIPTOR) descriptor: ServiceDescriptor,
  ) {
    this.relay = new OutboxRelay({
      dataSource,
      producer,
      pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
      deleteSent: descriptor.holdsSubjectIdentifiers,
      log: (level, message, extra) => this.logger[level === 'info' ? 'log' : level](`${message} ${extra ? JSON.stringify(extra) : ''}`),
      onPublished: (count) => outboxPublished.inc(count),
    });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
    const purge = () => void purgeInbox(this.dataSource, this.config.INBOX_RETENTION_DAYS).catch(() => undefined);
    this.inboxPurge = setInterval(purge, 3600_000).unref();
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}: finishing the batch in hand`);
    await this.consumer?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.inboxPurge);
    await this.relay.stop();
    await this.producer.disconnect().catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await flushTracing().catch(() => undefined); // the spans of the drain too
    this.logger.log('stopped cleanly: consumer drained, outbox flushed, connections closed');
  }
}
