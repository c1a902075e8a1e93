/* Creates the contract's topics. Env: KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_TOPIC_PARTITIONS (6), KAFKA_REPLICATION_FACTOR (1). */
import { createKafka, parseBrokers } from '../kafka-client';
import { ensureTopics } from '../admin/topics';

async function main(): Promise<void> {
  const partitions = Number(process.env.KAFKA_TOPIC_PARTITIONS ?? 6);
  const replicationFactor = Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1);
  if (!Number.isInteger(partitions) || partitions < 1) throw new Error('KAFKA_TOPIC_PARTITIONS must be a positive integer');
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) throw new Error('KAFKA_REPLICATION_FACTOR must be a positive integer');
  const kafka = createKafka({ brokers: parseBrokers(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'), clientId: 'audience-hub-topics' });
  const created = await ensureTopics(kafka, { partitions, replicationFactor });
  console.log(created.length ? `created topics: ${created.join(', ')}` : 'all topics exist');
}

main().catch((error) => {
  console.error(`create-topics: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
