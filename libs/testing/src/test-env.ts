import { randomBytes } from 'node:crypto';
import { serviceDatabaseUrl, type ServiceName } from '@audience-hub/persistence';

/** The endpoints the global setup prepared (see test/setup/global-setup.ts). */
export interface TestEnv {
  kafkaBrokers: string[];
  /** Superuser URL of the test database. */
  databaseUrl: string;
  /** URL of the test database as a service's own role. */
  serviceDatabaseUrl(service: ServiceName): string;
  /** Environment for launching a service process against the test infrastructure. */
  serviceEnv(service: ServiceName, extra?: Record<string, string>): Record<string, string>;
}

/** The run's IMS master key (set by the global setup; every IMS of a run shares the test database). */
export function testImsMasterKey(): string {
  return process.env.TEST_IMS_MASTER_KEY ?? (process.env.TEST_IMS_MASTER_KEY = randomBytes(32).toString('base64'));
}

export function testEnv(): TestEnv {
  const brokers = process.env.TEST_KAFKA_BROKERS;
  const databaseUrl = process.env.TEST_DATABASE_URL;
  if (!brokers || !databaseUrl) throw new Error('TEST_KAFKA_BROKERS/TEST_DATABASE_URL missing: run the tests through the jest configs in test/ (their global setup sets them)');
  return {
    kafkaBrokers: brokers.split(','),
    databaseUrl,
    serviceDatabaseUrl: (service) => serviceDatabaseUrl(databaseUrl, service, 'audience-hub'),
    serviceEnv: (service, extra = {}) => ({
      ...(service === 'ims' ? { IMS_MASTER_KEY: testImsMasterKey() } : {}),
      DATABASE_URL: serviceDatabaseUrl(databaseUrl, service, 'audience-hub'),
      KAFKA_BROKERS: brokers,
      // Each test starts services on schemas of its own making: they migrate at start (under the lock).
      DATABASE_MIGRATIONS: 'auto',
      // Never share consumer groups with a running stack, nor with a killed process of an earlier run.
      KAFKA_CONSUMER_GROUP: `test.${process.env.TEST_RUN_ID ?? 'run'}.${service}`,
      // Ready only once positioned at the topics' ends: tests publish after readiness, and a
      // shared broker's history is none of their business.
      KAFKA_NEW_GROUP_START: 'latest',
      // A killed member's partitions move on quickly.
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      EVENT_RETRY_BACKOFF_MS: '50',
      OUTBOX_POLL_INTERVAL_MS: '200',
      ...extra,
    }),
  };
}
