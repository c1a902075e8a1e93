import './kafkajs-grouping.fix'; // these three before kafkajs: its modules take what they patch when loaded
import './kafkajs-encoder.fix';
import './kafkajs-record.fix';
import { Kafka, logLevel, LogEntry, Message, Producer } from 'kafkajs';
import { DefaultPartitioner } from './partitioner';
import './kafkajs-request-queue.fix';
import { physicalTopic } from './topic-names';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  /** Receives kafkajs's own log lines (default: dropped below WARN). */
  log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
}

const levels = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug', [logLevel.NOTHING]: 'debug' } as const;

export function createKafka(options: KafkaConnectionOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        options.log?.(levels[level] ?? 'info', `kafkajs: ${message}`, extra);
      },
  });
}

export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

/**
 * The one kind of producer the services use: idempotent, acks from all replicas, retrying without
 * limit (a limit would void the idempotence guarantee; callers bound their own waits).
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
}

/** Sends messages to their topics (contract names) in one request, acknowledged by all replicas. */
export async function sendToTopics(producer: Producer, messages: Iterable<{ topic: string; message: Message }>): Promise<void> {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of messages) {
    const list = byTopic.get(topic);
    if (list) list.push(message);
    else byTopic.set(topic, [message]);
  }
  if (byTopic.size === 0) return;
  await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, list]) => ({ topic: physicalTopic(topic), messages: list })) });
}
