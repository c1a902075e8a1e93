import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { Client } from 'pg';
import { Topics } from '@audience-hub/contracts';
import { createIdempotentProducer } from '@audience-hub/messaging';
import { ImsTestClient, KafkaProbe, launchService, waitFor, type RunningService } from '@audience-hub/testing';
import { report, type BenchEnv, type Measurement } from './bench-env';
import { asTestEnv, createFullImport, ecid, recipient, snapshotChunks } from './import.bench';
import { publishVisitorLinks, rawConsumption } from './kafka-load';
import { backendsCpuSeconds, cpuProfileArgs, cpuSpent, ownCpuMeter, peakRssMb, secondsSince } from './process-usage';
import { ceilingPerSecond, describeFloor, stage, timeBatches, type SqlFloor } from './sql-floor';

const LINKS = Number(process.env.BENCH_LATE_LINKS ?? 1_000_000);
const PROFILE_DIR = process.env.BENCH_LATE_LINKS_PROFILE_DIR;

/**
 * Late links at scale: an audience of LINKS members is imported while none of its ECIDs is linked
 * (every member pending), then id-reconciliation's changelog brings a link for each. The clock runs
 * from audience-import's start (the links waited on Kafka while it was down) until no member is
 * pending any more: each link replicated, each pending member moved into the list and Campaign's
 * list changes in the outbox. Baseline: a raw kafkajs consumer group reading the same links. The
 * import before it is timed too (an audience none of whose ids is known yet, all of it pending).
 */
export async function lateLinksBench(env: BenchEnv): Promise<Record<string, unknown>> {
  const testEnv = asTestEnv(env);
  const admin = new Client({ connectionString: env.databaseUrl });
  await admin.connect();
  const probe = new KafkaProbe(env.kafkaBrokers);
  const producer = createIdempotentProducer(env.kafka);
  await producer.connect();
  const ims = await ImsTestClient.start(testEnv);
  const importerEnv = testEnv.serviceEnv('audience-import', { ...ims.trustEnv });
  const nodeArgs = cpuProfileArgs(PROFILE_DIR);
  let importer: RunningService | undefined = await launchService('audience-import', importerEnv, { nodeArgs });
  try {
    const tenant = await ims.tenant(['audiences.read', 'audiences.write'], 'late links bench');
    const orgId = tenant.orgId;
    await waitFor(
      'org known to audience-import',
      async () => Number((await admin.query(`SELECT count(*) AS n FROM audience_import.known_orgs WHERE org_id = $1`, [orgId])).rows[0].n) === 1,
    );
    const audienceId = `late-${randomUUID().slice(0, 8)}`;
    const importId = await createFullImport(probe, importer, tenant, audienceId);
    const chunks = snapshotChunks(orgId, audienceId, 0, LINKS);
    // The import's pending count, kept in the transactions that write its pending ids: probing
    // pending_ids itself cost Postgres seconds of CPU, taken from the work measured (a count of a
    // million rows, and even an existence probe, read past the ids already linked every 200 ms).
    const pendingCount = async () => Number((await admin.query(`SELECT pending FROM audience_import.imports WHERE import_id = $1`, [importId])).rows[0].pending);
    const pending = async () => Number((await admin.query(`SELECT count(*) AS n FROM audience_import.pending_ids WHERE import_id = $1`, [importId])).rows[0].n);
    const importStart = process.hrtime.bigint();
    for (let i = 0; i < chunks.length; i += 5) await probe.publish(Topics.xcAudiences, chunks.slice(i, i + 5));
    await waitFor('every member pending', async () => (await pendingCount()) === LINKS, { timeoutMs: 1_800_000, intervalMs: 200 });
    const importSeconds = secondsSince(importStart);
    if ((await pending()) !== LINKS) throw new Error(`the import counts ${LINKS} pending members, but pending_ids holds ${await pending()}`);
    // The run's staging (a million unmatched ids) is purged in the background once it completed:
    // stopped before that, the service purged it during the links measured (6 s of Postgres time).
    await waitFor(
      "the run's staging purged",
      async () => (await admin.query(`SELECT NOT EXISTS (SELECT 1 FROM audience_import.runs WHERE staged) AS done`)).rows[0].done === true,
      { timeoutMs: 600_000, intervalMs: 500 },
    );

    await importer.stop();
    importer = undefined;
    await publishVisitorLinks(producer, orgId, LINKS);
    const rawCpuMeter = ownCpuMeter();
    const rawSeconds = await rawConsumption(env, Topics.idrecIdentityLinks, LINKS);
    const rawCpu = rawCpuMeter();

    const start = process.hrtime.bigint();
    importer = await launchService('audience-import', importerEnv, { nodeArgs });
    await waitFor('no member pending', async () => (await pendingCount()) === 0, { timeoutMs: 3_600_000, intervalMs: 200 });
    const elapsed = secondsSince(start);
    const postgresCpu = await backendsCpuSeconds(admin, 'audience_hub_import');
    if ((await pending()) !== 0) throw new Error('the import counts no pending member, but some are still in pending_ids');
    const members = Number(
      (await admin.query(`SELECT count(*) AS n FROM audience_import.import_members WHERE run_id IN (SELECT run_id FROM audience_import.runs WHERE import_id = $1)`, [importId]))
        .rows[0].n,
    );
    if (members !== LINKS) throw new Error(`expected ${LINKS} members after the late links, found ${members}`);

    const applied: Measurement = {
      name: 'audience-import (from its start) applies the links',
      count: LINKS,
      unit: 'links',
      seconds: elapsed,
      peakRssMb: peakRssMb(importer.process.pid),
    };
    const raw: Measurement = { name: 'raw kafkajs consumption of the same links', count: LINKS, unit: 'links', seconds: rawSeconds };
    const cpu = `${cpuSpent([importer], [0])}, its Postgres connections ${postgresCpu.toFixed(1)} s`;
    await importer.stop();
    importer = undefined;
    const floor = await lateLinkWritesFloor(admin, orgId);
    const cores = cpus().length;
    return report(`late-links: ${LINKS.toLocaleString('en-US')} new links, each resolving a pending member of an imported list`, applied, raw, {
      'CPU used by audience-import': cpu,
      'CPU of the raw consumption (one client, JSON parse included)': `${rawCpu.toFixed(1)} s`,
      [`floor: the same links' least writes in SQL (replica row in, pending id out, member in; ${FLOOR_BATCH.toLocaleString('en-US')} a transaction)`]: describeFloor(
        floor,
        LINKS,
        'links',
      ),
      [`ceiling on ${cores} cores if a link cost only those writes and its raw consumption`]: `${Math.round(ceilingPerSecond(LINKS, [floor.cpuSeconds, rawCpu], cores)).toLocaleString('en-US')} links/s`,
      'before that, the import of the audience while none of its ids was linked': `${importSeconds.toFixed(2)} s from its first chunk published until every member was pending`,
    });
  } finally {
    await importer?.stop();
    await ims.stop();
    await producer.disconnect();
    await probe.close();
    await admin.end();
  }
}

const FLOOR_BATCH = 10_000;

/**
 * The rows no design of late links can skip, written in a schema of their own into copies of
 * audience-import's tables, with the benchmark's keys in its order: each link's replica row
 * inserted, its pending id deleted, its member inserted. One set-based statement each per batch,
 * from a staging table: no parsing, lookups, locks or events.
 */
async function lateLinkWritesFloor(admin: Client, orgId: string): Promise<SqlFloor> {
  // Each key looked up through its index, as the service's statements do, whatever the planner's
  // statistics of a table growing under it.
  await admin.query(`DROP SCHEMA IF EXISTS bench_floor CASCADE; CREATE SCHEMA bench_floor; SET search_path = bench_floor; SET enable_seqscan = off`);
  try {
    // audience-import's own tables, keys and indexes, empty: the floor follows its migrations.
    await admin.query(`
      CREATE TABLE identity_links (LIKE audience_import.identity_links INCLUDING ALL);
      CREATE TABLE pending_ids (LIKE audience_import.pending_ids INCLUDING ALL);
      CREATE TABLE import_members (LIKE audience_import.import_members INCLUDING ALL);
      CREATE TABLE incoming (batch int NOT NULL, xc_id text NOT NULL, recipient_id text NOT NULL)`);
    await stage(admin, 'incoming', ['xc_id', 'recipient_id'], LINKS, FLOOR_BATCH, (i) => [ecid(i), recipient(i)]);
    await admin.query(`INSERT INTO pending_ids (import_id, xc_id) SELECT 'imp-1', xc_id FROM incoming ORDER BY xc_id`);
    const org = `'${orgId.replace(/'/g, "''")}'`;
    return await timeBatches(admin, Math.ceil(LINKS / FLOOR_BATCH), (batch) => ({
      replica: `INSERT INTO identity_links (org_id, data_source_id, xc_id, recipient_id, observed_at)
                SELECT ${org}, 'visitor', xc_id, recipient_id, now() FROM incoming WHERE batch = ${batch} ORDER BY xc_id`,
      pending: `DELETE FROM pending_ids p USING incoming i WHERE i.batch = ${batch} AND p.import_id = 'imp-1' AND p.xc_id = i.xc_id`,
      members: `INSERT INTO import_members (run_id, xc_id, recipient_id) SELECT 1, xc_id, recipient_id FROM incoming WHERE batch = ${batch} ORDER BY xc_id`,
    }));
  } finally {
    await admin.query(`RESET search_path; RESET enable_seqscan; DROP SCHEMA bench_floor CASCADE`);
  }
}
