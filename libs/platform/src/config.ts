import { z } from 'zod';
import { tracingConfigSchema } from '@audience-hub/observability';
import type { ServiceDescriptor } from './service-descriptor';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/** Where the IMS of a local stack answers (port 3000, routes under /ims). */
export const DEFAULT_IMS_ISSUER = 'http://127.0.0.1:3000/ims';

/** Configuration every service reads; each service may extend it with its own variables. */
export function baseConfigSchema(descriptor: ServiceDescriptor) {
  return z.object({
    PORT: int(descriptor.defaultPort, 0).pipe(z.number().max(65535)),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z
      .string({ error: 'is required (postgres://<service role>@host:port/database)' })
      .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// URL'),
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain lower-case SQL identifier')
      .default(descriptor.schema),
    DATABASE_POOL_SIZE: int(10, 1),
    /**
     * `verify`: refuse to start while a migration this version needs is pending (they are run
     * beforehand, once, by `node dist/apps/<service>/src/main.js migrate` or the deployment's
     * migration Job). `auto`: apply them at start, under the same lock (the local quick start).
     */
    DATABASE_MIGRATIONS: z.enum(['verify', 'auto']).default('verify'),
    KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
    /** Prepended to every topic name on the broker (environments sharing a cluster); read by libs/messaging. */
    KAFKA_TOPIC_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9._-]{0,100}$/, 'may hold only letters, digits, ".", "_" and "-"')
      .default(''),
    KAFKA_CLIENT_ID: z.string().min(1).default(`audience-hub-${descriptor.name}`),
    KAFKA_CONSUMER_GROUP: z.string().min(1).default(`audience-hub.${descriptor.name}`),
    /** Where a consumer group with no committed offsets starts: the topic's history, or only what comes next. */
    KAFKA_NEW_GROUP_START: z.enum(['earliest', 'latest']).default('earliest'),
    /** How long a silent member keeps its partitions: shorter means faster takeover after a crash. */
    KAFKA_SESSION_TIMEOUT_MS: int(30_000, 6_000),
    /**
     * Bytes fetched per partition, and the bound of a partition's queue of fetched events not yet
     * applied (past it, a backlogged key's further chunks are read again later; at twice it the
     * partition pauses). Audience events are large (chunks of 10,000 ids): 16 MiB keeps memory
     * bounded, and is big enough that a snapshot of a million members (40 MB) is read again only
     * once or twice (at 4 MiB the re-reads cost the import four times its CPU). Kafka still
     * returns a single larger message (up to 16 MiB) on its own.
     */
    KAFKA_MAX_BYTES_PER_PARTITION: int(16 * 1024 * 1024, 1024),
    /**
     * Batches of events applied at once, across partitions and keys (each holds a database
     * connection while it runs): a long transaction takes one, small work gets the others.
     */
    KAFKA_CONCURRENT_BATCHES: int(3, 1),
    IMS_URL: z.string().url().default('http://127.0.0.1:3000'),
    IMS_JWKS_URL: z.string().url().optional(),
    /**
     * The IMS's public base URL: the `iss` of its tokens and the `issuer` of its discovery document,
     * which standard OAuth/OpenID clients fetch at {issuer}/.well-known/openid-configuration.
     */
    IMS_ISSUER: z
      .url({ protocol: /^https?$/, error: "must be the IMS's public http(s) base URL, e.g. http://127.0.0.1:3000/ims" })
      .refine((value) => !/[?#]/.test(value), 'must have no query or fragment')
      .transform((value) => value.replace(/\/+$/, ''))
      .default(DEFAULT_IMS_ISSUER),
    IMS_AUDIENCE: z.string().min(1).default('audience-hub'),
    IMS_JWKS_COOLDOWN_MS: int(30_000, 0),
    EVENT_MAX_ATTEMPTS: int(5, 1),
    EVENT_RETRY_BACKOFF_MS: int(200, 1),
    EVENTS_PER_TRANSACTION: int(200, 1),
    OUTBOX_POLL_INTERVAL_MS: int(1000, 10),
    INBOX_RETENTION_DAYS: int(14, 1),
    // Read before everything else by startTracing (each service's first import); declared here so
    // a bad value stops the service with the others.
    ...tracingConfigSchema.shape,
  });
}

export type BaseConfig = z.infer<ReturnType<typeof baseConfigSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once at start-up; throws naming every bad variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
}
