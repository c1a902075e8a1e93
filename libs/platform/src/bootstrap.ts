import 'reflect-metadata';
import { Logger as NestLogger, Module, type INestApplication, type ModuleMetadata, type Type } from '@nestjs/common';
import type { z } from 'zod';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { KafkaEventsServer, DeadLetterPublisher } from '@audience-hub/messaging';
import { eventProcessingLatency, eventsApplied, eventsDeadLettered, eventsSkipped, httpRequestDuration, initMetrics } from '@audience-hub/observability';
import type { Kafka, Producer } from 'kafkajs';
import { ConfigError, baseConfigSchema, loadConfig, type BaseConfig } from './config';
import { migrate, PendingMigrationsError } from './migrate';
import { HubServiceModule } from './hub-service.module';
import { ServiceLifecycle } from './service-lifecycle';
import { OperationalMetrics } from './operational-metrics';
import type { ServiceDescriptor } from './service-descriptor';
import { ProblemFilter } from './problem';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { RequestValidationPipe } from './openapi/request-validation.pipe';
import { KAFKA, KAFKA_PRODUCER, SERVICE_CONFIG } from './tokens';

/**
 * Starts one service: HTTP (REST, health, metrics, OpenAPI at /docs), the Kafka event consumer as
 * a Nest microservice, and SIGTERM handling that drains before exit.
 */
export async function startService(descriptor: ServiceDescriptor, rootModule: Type<unknown>): Promise<INestApplication> {
  initMetrics(descriptor.name);
  const app = await NestFactory.create(rootModule, { bufferLogs: true, bodyParser: true });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new ProblemFilter());
  // process.exit(0) after the hooks, so the log destination flushes (re-raising the signal would not).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  app.use((req: { method: string; route?: { path?: string }; path: string }, res: { statusCode: number; on: (e: string, f: () => void) => void }, next: () => void) => {
    const stop = httpRequestDuration.startTimer();
    res.on('finish', () => stop({ method: req.method, route: req.route?.path ?? 'unmatched', status: String(res.statusCode) }));
    next();
  });

  app.useGlobalPipes(new RequestValidationPipe());
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, descriptor), { jsonDocumentUrl: 'docs/openapi.json' });

  const config = app.get<BaseConfig>(SERVICE_CONFIG);
  const producer = app.get<Producer>(KAFKA_PRODUCER);
  const consumer = new KafkaEventsServer({
    kafka: app.get<Kafka>(KAFKA),
    dataSource: app.get(DataSource),
    consumerGroup: config.KAFKA_CONSUMER_GROUP,
    deadLetters: new DeadLetterPublisher(producer, config.KAFKA_CONSUMER_GROUP, `/audience-hub/${descriptor.name}`),
    retry: { maxAttempts: config.EVENT_MAX_ATTEMPTS, backoffMs: config.EVENT_RETRY_BACKOFF_MS, maxBackoffMs: 10_000 },
    maxEventsPerTransaction: config.EVENTS_PER_TRANSACTION,
    maxBytesPerPartition: config.KAFKA_MAX_BYTES_PER_PARTITION,
    concurrentBatches: config.KAFKA_CONCURRENT_BATCHES,
    fromBeginning: config.KAFKA_NEW_GROUP_START === 'earliest',
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    log: (level, message, extra) => {
      const logger = new NestLogger('events');
      const line = `${message} ${extra ? JSON.stringify(extra) : ''}`;
      if (level === 'error') logger.error(line);
      else if (level === 'warn') logger.warn(line);
      else logger.log(line);
    },
    metrics: {
      applied: (count) => eventsApplied.inc(count),
      deadLettered: () => eventsDeadLettered.inc(),
      skipped: (count) => eventsSkipped.inc(count),
      latency: (seconds) => eventProcessingLatency.observe(seconds),
    },
  });
  app.get(OperationalMetrics).watchConsumerGroup(config.KAFKA_CONSUMER_GROUP);
  app.get(ServiceLifecycle).consumer = consumer;
  app.connectMicroservice({ strategy: consumer }, { inheritAppConfig: false });
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  app.get(Logger).log(`${descriptor.name} listening on http://${config.HOST}:${config.PORT}`);
  return app;
}

export interface ServiceModules {
  /** The service's capability modules (lists/, imports/, …). */
  imports: ModuleImport[];
  /** Extra variables of this service, merged into the base configuration. */
  configSchema?: z.ZodObject;
  /** Variables this service requires, with placeholder values, for describeService. */
  previewEnv?: Record<string, string>;
}

type ModuleImport = NonNullable<ModuleMetadata['imports']>[number];

/** The root module of a service: the shared platform plus its capabilities, for a parsed configuration. */
export function createRootModule(descriptor: ServiceDescriptor, modules: ServiceModules, env: NodeJS.ProcessEnv = process.env): Type<unknown> {
  const schema = modules.configSchema ? baseConfigSchema(descriptor).extend(modules.configSchema.shape) : baseConfigSchema(descriptor);
  const config = loadConfig(schema, env) as BaseConfig;
  class RootModule {}
  Module({ imports: [HubServiceModule.forRoot(descriptor, config), ...modules.imports] })(RootModule);
  return RootModule;
}

/**
 * The service's OpenAPI document without starting it: the root module in Nest's preview mode (no
 * provider is created, so neither Postgres nor Kafka is needed), for `npm run openapi` and its test.
 */
export async function describeService(descriptor: ServiceDescriptor, modules: ServiceModules): Promise<OpenAPIObject> {
  const env = { DATABASE_URL: 'postgres://preview@localhost/preview', KAFKA_BROKERS: 'localhost:9092', ...modules.previewEnv };
  const app = await NestFactory.create(createRootModule(descriptor, modules, env), { preview: true, logger: false, abortOnError: false });
  try {
    return buildOpenApiDocument(app, descriptor);
  } finally {
    await app.close();
  }
}

/**
 * main.ts of every service: start, or print why not and exit non-zero. `main.js migrate` applies
 * the service's pending migrations (under the schema's migration lock) and exits instead.
 */
export function runService(descriptor: ServiceDescriptor, modules: ServiceModules, argv: string[] = process.argv.slice(2)): void {
  if (argv[0] === 'migrate') {
    migrate(descriptor)
      .then((outcome) => {
        process.stdout.write(`${JSON.stringify({ level: 'info', service: descriptor.name, msg: 'migrations done', ...outcome })}\n`);
        process.exit(0);
      })
      .catch((error) => exitWith(descriptor, error, 'cannot migrate'));
    return;
  }
  if (argv.length > 0) {
    exitWith(descriptor, new UsageError(`unknown command ${JSON.stringify(argv[0])}: run without arguments to start the service, or with "migrate"`));
    return;
  }
  let rootModule: Type<unknown>;
  try {
    rootModule = createRootModule(descriptor, modules);
  } catch (error) {
    exitWith(descriptor, error);
    return;
  }
  startService(descriptor, rootModule).catch((error) => exitWith(descriptor, error));
}

function exitWith(descriptor: ServiceDescriptor, error: unknown, what = 'cannot start'): void {
  const plain = error instanceof ConfigError || error instanceof UsageError || hasCause(error, PendingMigrationsError);
  const message = plain ? (error as Error).message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: descriptor.name, msg: `${what}: ${message}` })}\n`);
  process.exit(1);
}

class UsageError extends Error {}

/** Nest wraps a provider factory's error: looks through `cause`s too. */
function hasCause(error: unknown, type: new (...args: never[]) => Error): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof type) return true;
    current = (current as Error).cause;
  }
  return false;
}
