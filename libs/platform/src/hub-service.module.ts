import { BeforeApplicationShutdown, DynamicModule, Global, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown, Logger } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Kafka, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { createServiceDataSource, migrateServiceSchema, redactDatabaseUrl } from '@audience-hub/persistence';
import { createKafka, createIdempotentProducer, parseBrokers, OutboxRelay, purgeInbox } from '@audience-hub/messaging';
import { loggerOptions, outboxPublished } from '@audience-hub/observability';
import type { BaseConfig } from './config';
import type { ServiceDescriptor } from './service-descriptor';
import { KAFKA, KAFKA_PRODUCER, SERVICE_CONFIG, SERVICE_DESCRIPTOR } from './tokens';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

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
  consumer?: { close(): Promise<void> | void };

  constructor(
    private readonly dataSource: DataSource,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    @Inject(SERVICE_CONFIG) private readonly config: BaseConfig,
  ) {
    this.relay = new OutboxRelay({
      dataSource,
      producer,
      pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
      log: (level, message, extra) => this.logger[level === 'info' ? 'log' : level](`${message} ${extra ? JSON.stringify(extra) : ''}`),
      onPublished: (count) => outboxPublished.inc(count),
    });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
    const purge = () => purgeInbox(this.dataSource, this.config.INBOX_RETENTION_DAYS).catch(() => undefined);
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
    this.logger.log('stopped cleanly: consumer drained, outbox flushed, connections closed');
  }
}

@Global()
@Module({})
export class HubServiceModule {
  static forRoot(descriptor: ServiceDescriptor, config: BaseConfig): DynamicModule {
    return {
      module: HubServiceModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            ...loggerOptions(descriptor.name, config.LOG_LEVEL),
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
            customProps: () => ({}),
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_DESCRIPTOR, useValue: descriptor },
        { provide: SERVICE_CONFIG, useValue: config },
        {
          provide: DataSource,
          useFactory: async () => {
            const dataSource = createServiceDataSource({
              url: config.DATABASE_URL,
              schema: config.DATABASE_SCHEMA,
              migrations: descriptor.migrations,
              poolSize: config.DATABASE_POOL_SIZE,
              applicationName: `audience-hub-${descriptor.name}`,
            });
            try {
              await dataSource.initialize();
              await migrateServiceSchema(dataSource);
            } catch (error) {
              throw new Error(`cannot prepare schema ${config.DATABASE_SCHEMA} at ${redactDatabaseUrl(config.DATABASE_URL)}: ${(error as Error).message}`);
            }
            return dataSource;
          },
        },
        {
          provide: KAFKA,
          useFactory: () =>
            createKafka({
              brokers: parseBrokers(config.KAFKA_BROKERS),
              clientId: config.KAFKA_CLIENT_ID,
              log: (level, message, extra) => {
                const logger = new Logger('kafka');
                if (level === 'error') logger.error(`${message} ${JSON.stringify(extra)}`);
                else if (level === 'warn') logger.warn(`${message} ${JSON.stringify(extra)}`);
              },
            }),
        },
        {
          provide: KAFKA_PRODUCER,
          inject: [KAFKA],
          useFactory: async (kafka: Kafka) => {
            const producer = createIdempotentProducer(kafka);
            await producer.connect();
            return producer;
          },
        },
        ServiceLifecycle,
      ],
      exports: [SERVICE_DESCRIPTOR, SERVICE_CONFIG, DataSource, KAFKA, KAFKA_PRODUCER, ServiceLifecycle],
    };
  }
}
