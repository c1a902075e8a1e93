import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Topics } from '@audience-hub/contracts';
import { createIdempotentProducer } from '@audience-hub/messaging';
import { heapCapOptions, ImsTestClient, launchService, waitFor, type RunningService } from '@audience-hub/testing';
import { report, type BenchEnv, type Measurement } from './bench-env';
import { asTestEnv } from './import.bench';
import { publishVisitorLinks, rawConsumption } from './kafka-load';
import { cpuSeconds, cpuSpent, peakRssMb } from './process-usage';

const LINKS = Number(process.env.BENCH_REPLICA_LINKS ?? 1_000_000);
/** audience-import's heap cap while it builds its replica: memory must not grow with the topic. */
const HEAP_MB = Number(process.env.BENCH_REPLICA_HEAP_MB ?? 96);

/**
 * A new audience-import instance (an empty schema) builds its replica of the identity graph from
 * the compacted idrec.identity-links.v1 holding LINKS visitor links, as id-reconciliation wrote
 * them; the clock runs from the service's start until its replica holds every link. Its heap is
 * capped to show memory stays bounded. Baseline: a raw kafkajs consumer reading the same topic
 * from the start, same run. Also reports the replica's size on disk per million links.
 */
export async function replicaBench(env: BenchEnv): Promise<Record<string, unknown>> {
  const testEnv = asTestEnv(env);
  const admin = new Client({ connectionString: env.databaseUrl });
  await admin.connect();
  const producer = createIdempotentProducer(env.kafka);
  await producer.connect();
  const ims = await ImsTestClient.start(testEnv);
  let importer: RunningService | undefined;
  try {
    const orgId = `${randomUUID().replace(/-/g, '').slice(0, 24).toUpperCase()}@AdobeOrg`;
    await publishVisitorLinks(producer, orgId, LINKS);

    const rawSeconds = await rawConsumption(env, Topics.idrecIdentityLinks, LINKS);

    // Other benchmarks of the run may have filled the replica already: its size is measured as the growth.
    const sizes = async () =>
      (await admin.query(`SELECT pg_relation_size('audience_import.identity_links') AS table, pg_indexes_size('audience_import.identity_links') AS indexes`)).rows[0];
    const empty = await sizes().catch(() => ({ table: 0, indexes: 0 }));
    const start = process.hrtime.bigint();
    importer = await launchService('audience-import', testEnv.serviceEnv('audience-import', { ...ims.trustEnv, NODE_OPTIONS: heapCapOptions(HEAP_MB) }));
    const cpu = cpuSeconds([importer]);
    await waitFor(
      'replica complete',
      async () => Number((await admin.query(`SELECT count(*) AS n FROM audience_import.identity_links WHERE org_id = $1`, [orgId])).rows[0].n) >= LINKS,
      { timeoutMs: 1_800_000, intervalMs: 200 },
    );
    const buildSeconds = seconds(start);
    const rss = peakRssMb(importer.process.pid);
    await admin.query(`VACUUM ANALYZE audience_import.identity_links`);
    const built = await sizes();
    const [table, indexes] = [Number(built.table) - Number(empty.table), Number(built.indexes) - Number(empty.indexes)];
    const perMillion = (bytes: number) => `${Math.round(((bytes / LINKS) * 1e6) / 1048576)} MB`;

    const build: Measurement = { name: 'new audience-import builds its replica', count: LINKS, unit: 'links', seconds: buildSeconds, peakRssMb: rss };
    const raw: Measurement = { name: 'raw kafkajs consumption of the same topic', count: LINKS, unit: 'links', seconds: rawSeconds };
    return report(`replica: a new instance builds its identity replica from ${LINKS.toLocaleString('en-US')} changelog records`, build, raw, {
      'audience-import heap cap': `${HEAP_MB} MB (${heapCapOptions(HEAP_MB)})`,
      'CPU used by audience-import (after its start)': cpuSpent([importer], cpu),
      'replica on disk per million links': `${perMillion(Number(table) + Number(indexes))} (table ${perMillion(Number(table))}, indexes ${perMillion(Number(indexes))})`,
    });
  } finally {
    await importer?.stop();
    await ims.stop();
    await producer.disconnect();
    await admin.end();
  }
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
