import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { createServiceDataSource, migrateServiceSchema, pendingMigrations, redactDatabaseUrl } from '@audience-hub/persistence';
import { PendingMigrationsError } from './migrate';
import { createKafka, createIdempotentProducer, parseBrokers } from '@audience-hub/messaging';
import { loggerOptions } from '@audience-hub/observability';
import type { BaseConfig } from './config';
import type { ServiceDescriptor } from './service-descriptor';
import { KAFKA, KAFKA_PRODUCER, SERVICE_CONFIG, SERVICE_DESCRIPTOR } from './tokens';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { ServiceLifecycle } from './service-lifecycle';
import { ReadinessService } from './readiness.service';
import { OperationalMetrics } from './operational-metrics';

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
              if (config.DATABASE_MIGRATIONS === 'auto') await migrateServiceSchema(dataSource);
            } catch (error) {
              throw new Error(`cannot prepare schema ${config.DATABASE_SCHEMA} at ${redactDatabaseUrl(config.DATABASE_URL)}: ${(error as Error).message}`);
            }
            const pending = await pendingMigrations(dataSource);
            if (pending.length > 0) {
              await dataSource.destroy();
              throw new PendingMigrationsError(descriptor, config.DATABASE_SCHEMA, pending);
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
        ReadinessService,
        OperationalMetrics,
      ],
      exports: [SERVICE_DESCRIPTOR, SERVICE_CONFIG, DataSource, KAFKA, KAFKA_PRODUCER, ServiceLifecycle, OperationalMetrics],
    };
  }
}
