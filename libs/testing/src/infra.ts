import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/** Where the tests find real Kafka and Postgres. */
export interface TestInfra {
  kafkaBrokers: string[];
  /** A superuser URL (creates the test database and roles). */
  adminDatabaseUrl: string;
  source: 'environment' | 'stack' | 'testcontainers';
  stop?: () => Promise<void>;
}

// From the sources (jest) or from the build (dist/libs/testing/src, as the benchmarks run).
const HERE_ROOT = resolve(__dirname, '../../..');
export const REPO_ROOT = basename(HERE_ROOT) === 'dist' ? dirname(HERE_ROOT) : HERE_ROOT;
const STACK_ENV = resolve(REPO_ROOT, '.infra/stack.env');

export const HOW_TO_START_INFRA = [
  'No Kafka/Postgres for the tests. Either:',
  '  - set KAFKA_BROKERS (e.g. 127.0.0.1:9092) and DATABASE_URL (a superuser URL, e.g. postgres://postgres@127.0.0.1:5432/postgres);',
  '  - or run `npm run up` first (it starts Kafka and records the endpoints in .infra/stack.env);',
  '  - or start Kafka alone with `bash infra/kafka.sh start` and set the two variables;',
  '  - or run where a Docker engine answers: the tests then start Kafka and Postgres with testcontainers.',
].join('\n');

/** Endpoints from the environment, else from a running `npm run up` stack, else testcontainers, else a clear failure. */
export async function resolveTestInfra(env: NodeJS.ProcessEnv = process.env): Promise<TestInfra> {
  if (env.KAFKA_BROKERS && env.DATABASE_URL) {
    return { kafkaBrokers: env.KAFKA_BROKERS.split(','), adminDatabaseUrl: env.DATABASE_URL, source: 'environment' };
  }
  if (existsSync(STACK_ENV)) {
    const stack = parseEnvFile(readFileSync(STACK_ENV, 'utf8'));
    if (stack.KAFKA_BROKERS && stack.DATABASE_ADMIN_URL) {
      return { kafkaBrokers: stack.KAFKA_BROKERS.split(','), adminDatabaseUrl: stack.DATABASE_ADMIN_URL, source: 'stack' };
    }
  }
  if (dockerAnswers()) return startContainers();
  throw new Error(HOW_TO_START_INFRA);
}

export function parseEnvFile(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && line.includes('='))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  return Object.fromEntries(entries);
}

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/** Kafka 4 (KRaft, apache/kafka image) and Postgres 16, on random host ports. */
async function startContainers(): Promise<TestInfra> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const postgres = await new GenericContainer('postgres:16-alpine')
    .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const kafkaPort = 19092;
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withExposedPorts({ container: kafkaPort, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${kafkaPort},CONTROLLER://0.0.0.0:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_MESSAGE_MAX_BYTES: '16777216',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return {
    kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
    adminDatabaseUrl: `postgres://postgres:postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
    source: 'testcontainers',
    stop: async () => {
      await kafka.stop();
      await postgres.stop();
    },
  };
}
