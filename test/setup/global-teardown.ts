import './register-aliases';
import { createKafka, deletePrefixedTopics } from '@audience-hub/messaging';

/** Deletes this run's topics and stops containers the global setup started. */
export default async function globalTeardown(): Promise<void> {
  const brokers = (globalThis as { __testBrokers?: string[] }).__testBrokers;
  if (brokers) await deletePrefixedTopics(createKafka({ brokers, clientId: 'test-teardown' })).catch((error) => console.warn(`topic clean-up: ${error}`));
  await (globalThis as { __stopTestInfra?: () => Promise<void> }).__stopTestInfra?.();
}
