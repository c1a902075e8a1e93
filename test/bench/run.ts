/*
 * npm run bench [name...]: every benchmark prints its figure beside a baseline measured in the same
 * run, and the ratio. Results are also written to .infra/bench-results.json.
 * Needs Kafka and Postgres like the tests (KAFKA_BROKERS + DATABASE_URL, or `npm run up`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { deletePrefixedTopics } from '@audience-hub/messaging';
import { benchEnv, type BenchEnv } from './bench-env';
import { outboxThroughput } from './outbox-throughput.bench';
import { importBench } from './import.bench';
import { importScaleOut } from './import-scale-out.bench';
import { exportBench } from './export.bench';
import { authThroughput } from './auth.bench';
import { replicaBench } from './replica.bench';
import { ingestBench } from './ingest.bench';
import { lateLinksBench } from './late-links.bench';
import { latencyBench } from './latency.bench';
import { filesBench } from './files.bench';
import { privacyBench } from './privacy.bench';

const BENCHES: Record<string, (env: BenchEnv) => Promise<Record<string, unknown> | Record<string, unknown>[]>> = {
  outbox: outboxThroughput,
  import: importBench,
  'import-scale-out': importScaleOut,
  export: exportBench,
  auth: authThroughput,
  replica: replicaBench,
  ingest: ingestBench,
  'late-links': lateLinksBench,
  latency: latencyBench,
  files: filesBench,
  privacy: privacyBench,
};

/** The environment of the run under way: its topics are deleted even when it is stopped from outside. */
let running: BenchEnv | undefined;

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  const unknown = names.filter((name) => !BENCHES[name]);
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`audience-hub benchmarks on ${machine}`);
  const env = await benchEnv();
  running = env;
  const results: Record<string, unknown>[] = [];
  try {
    for (const name of names) results.push(...[await BENCHES[name](env)].flat());
  } finally {
    await deletePrefixedTopics(env.kafka).catch((error) => console.warn(`topic clean-up: ${error}`));
  }
  const out = resolve(__dirname, '../../../.infra/bench-results.json');
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2));
}

// Stopped from outside (Ctrl-C, a timeout): delete the run's topics (10 s at most), then exit, so
// the services it started go with it (service-launcher).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    const cleanUp = running ? deletePrefixedTopics(running.kafka).catch(() => undefined) : Promise.resolve();
    void Promise.race([cleanUp, new Promise((resolveLater) => setTimeout(resolveLater, 10_000))]).finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench: ${error instanceof Error ? error.stack : error}`);
    process.exit(1);
  },
);
