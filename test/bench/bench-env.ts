import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createKafka, ensureTopics } from '@audience-hub/messaging';
import { prepareDatabase, serviceDatabaseUrl, withDatabaseName } from '@audience-hub/persistence';
import { resolveTestInfra, waitFor } from '@audience-hub/testing';
import type { Kafka } from 'kafkajs';

export interface BenchEnv {
  kafka: Kafka;
  kafkaBrokers: string[];
  /** Superuser URL of the bench database (fresh each run). */
  databaseUrl: string;
  serviceDatabaseUrl(service: 'ims' | 'id-reconciliation' | 'audience-import' | 'audience-export'): string;
}

/** Same infrastructure resolution as the tests, with a database of its own recreated per run. */
export async function benchEnv(): Promise<BenchEnv> {
  const infra = await resolveTestInfra();
  const database = process.env.BENCH_DATABASE_NAME ?? 'audience_hub_bench';
  const server = new Client({ connectionString: withDatabaseName(infra.adminDatabaseUrl, 'postgres') });
  await server.connect();
  await server.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await server.end();
  await prepareDatabase({ adminUrl: infra.adminDatabaseUrl, database, rolePassword: 'audience-hub' });
  // Topics of this run only, deleted at the end: a running stack never sees benchmark traffic.
  process.env.KAFKA_TOPIC_PREFIX = `bench-${randomUUID().slice(0, 8)}.`;
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'bench' });
  await ensureTopics(kafka, { partitions: 6, replicationFactor: 1 });
  const databaseUrl = withDatabaseName(infra.adminDatabaseUrl, database);
  return {
    kafka,
    kafkaBrokers: infra.kafkaBrokers,
    databaseUrl,
    serviceDatabaseUrl: (service) => serviceDatabaseUrl(databaseUrl, service, 'audience-hub'),
  };
}

export interface Measurement {
  name: string;
  count: number;
  unit: string;
  seconds: number;
  peakRssMb?: number;
}

export function rate(m: Measurement): number {
  return m.count / m.seconds;
}

/** Prints a figure beside its baseline and their ratio, and returns the line for the record. */
export function report(title: string, subject: Measurement, baseline: Measurement, extra: Record<string, string | number> = {}): Record<string, unknown> {
  const ratio = rate(subject) / rate(baseline);
  const fmt = (m: Measurement) =>
    `${m.name.padEnd(44)} ${String(m.count).padStart(9)} ${m.unit} in ${m.seconds.toFixed(2).padStart(6)} s = ${Math.round(rate(m)).toLocaleString('en-US').padStart(10)} ${m.unit}/s` +
    (m.peakRssMb ? `  (peak RSS ${m.peakRssMb} MB)` : '');
  console.log(`\n## ${title}`);
  console.log(fmt(subject));
  console.log(fmt(baseline));
  console.log(`${'ratio to baseline'.padEnd(44)} ${ratio.toFixed(2)}x`);
  for (const [key, value] of Object.entries(extra)) console.log(`${key.padEnd(44)} ${value}`);
  return { title, subject, baseline, ratio, ...extra };
}

/** Samples this process's RSS while `work` runs. */
export async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const result = await work();
    return { result, peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1048576) };
  } finally {
    clearInterval(timer);
  }
}

/** Waits until consumer group `group` is Stable with `members` members (every instance holds partitions). */
export async function groupStable(env: BenchEnv, group: string, members: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `group ${group} Stable with ${members} member(s)`,
    async () => {
      const admin = env.kafka.admin();
      await admin.connect();
      try {
        const [description] = (await admin.describeGroups([group])).groups;
        return description.state === 'Stable' && description.members.length === members;
      } finally {
        await admin.disconnect();
      }
    },
    { timeoutMs, intervalMs: 200 },
  );
}
