import './register-aliases';
import { ensureTopics, createKafka } from '@audience-hub/messaging';
import { dropDatabase, prepareDatabase, withDatabaseName } from '@audience-hub/persistence';
import { resolveTestInfra } from '@audience-hub/testing';
import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Once per test run: find Kafka and Postgres (environment, a running stack, or testcontainers),
 * create the contract's topics, and give the run a fresh database with the four service roles.
 */
export default async function globalSetup(): Promise<void> {
  const infra = await resolveTestInfra();
  const runId = randomUUID().slice(0, 8);
  // This run's own topics: concurrent runs on one broker never see each other's events.
  process.env.KAFKA_TOPIC_PREFIX = `test-${runId}.`;
  const database = process.env.TEST_DATABASE_NAME ?? 'audience_hub_test';
  await dropDatabase(infra.adminDatabaseUrl, database);
  await prepareDatabase({ adminUrl: infra.adminDatabaseUrl, database, rolePassword: 'audience-hub' });
  await ensureTopics(createKafka({ brokers: infra.kafkaBrokers, clientId: 'test-setup' }), { partitions: 6, replicationFactor: 1 });
  process.env.TEST_KAFKA_BROKERS = infra.kafkaBrokers.join(',');
  process.env.TEST_RUN_ID = runId;
  // Every IMS started by this run shares the test database, so they share its master key and admin.
  process.env.TEST_IMS_MASTER_KEY = randomBytes(32).toString('base64');
  process.env.TEST_IMS_ADMIN_SECRET = randomBytes(24).toString('base64url');
  (globalThis as { __testBrokers?: string[] }).__testBrokers = infra.kafkaBrokers;
  process.env.TEST_DATABASE_URL = withDatabaseName(infra.adminDatabaseUrl, database);
  (globalThis as { __stopTestInfra?: () => Promise<void> }).__stopTestInfra = infra.stop;
}
