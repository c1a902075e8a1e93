import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { createEvent, EventTypes, MAX_CHUNK_IDS, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, waitFor, withHeapCap, type ProbedMessage, type RunningService, type TestEnv } from '@audience-hub/testing';
import { cpuProfileArgs, cpuSeconds, cpuSpent, peakRssMb } from './process-usage';
import { report, type BenchEnv, type Measurement } from './bench-env';

const MEMBERS = Number(process.env.BENCH_IMPORT_MEMBERS ?? 1_000_000);
/** A smaller import run first through the same service, to show its peak memory does not grow with the audience. */
const SMALL = Math.min(100_000, MEMBERS);
/** Set to a directory to write V8 CPU profiles of audience-import and id-reconciliation there (node --cpu-prof). */
const PROFILE_DIR = process.env.BENCH_IMPORT_PROFILE_DIR;
/**
 * Extra environment of audience-import, as JSON (e.g. `{"LOG_LEVEL":"info"}`), to compare
 * settings; BENCH_IMPORT_HEAP_MB caps its heap (heapCapOptions).
 */
const SERVICE_ENV: Record<string, string> = withHeapCap(JSON.parse(process.env.BENCH_IMPORT_SERVICE_ENV ?? '{}'), process.env.BENCH_IMPORT_HEAP_MB);
/** The same for id-reconciliation: BENCH_IMPORT_IDREC_ENV, BENCH_IMPORT_IDREC_HEAP_MB. */
const IDREC_ENV: Record<string, string> = withHeapCap(JSON.parse(process.env.BENCH_IMPORT_IDREC_ENV ?? '{}'), process.env.BENCH_IMPORT_IDREC_HEAP_MB);
/** `info` shows audience-import's timings of each snapshot applied; BENCH_VERBOSE=1 prints the services' output at the end. */
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';
const ECID_BASE = 10n ** 37n;
export const ecid = (i: number): string => (ECID_BASE + BigInt(i)).toString();
export const recipient = (i: number): string => `rcp-${i}`;

/**
 * Import of a MEMBERS-member audience end to end, through the real services (IMS, id-reconciliation,
 * audience-import as processes): XC publishes the snapshot as xc.audience.members chunks, or
 * uploads it as an Audience Manager outbound file; the clock stops when campaign.import.completed
 * is on Kafka. Baseline: a raw COPY of the same (id, recipient) rows into Postgres, same run.
 */
export async function importBench(env: BenchEnv): Promise<Record<string, unknown>> {
  const testEnv = asTestEnv(env);
  const admin = new Client({ connectionString: env.databaseUrl });
  await admin.connect();
  const probe = new KafkaProbe(env.kafkaBrokers);
  const ims = await ImsTestClient.start(testEnv);
  const services: RunningService[] = [];
  try {
    const nodeArgs = cpuProfileArgs(PROFILE_DIR);
    const [idrec, importer] = await Promise.all([
      launchService('id-reconciliation', testEnv.serviceEnv('id-reconciliation', { ...ims.trustEnv, LOG_LEVEL, ...IDREC_ENV }), { nodeArgs }),
      launchService('audience-import', testEnv.serviceEnv('audience-import', { ...ims.trustEnv, LOG_LEVEL, ...SERVICE_ENV }), { nodeArgs }),
    ]);
    services.push(idrec, importer);
    const tenant = await ims.tenant(['audiences.read', 'audiences.write']);
    const orgId = tenant.orgId;
    const publish = (events: AnyHubEvent[]) => probe.publish(Topics.xcAudiences, events);
    await probe.publish(Topics.imsEvents, [
      createEvent({ type: EventTypes.imsOrgCreated, source: '/bench', orgId, aggregateId: orgId, data: { orgId, name: 'Bench', createdAt: new Date().toISOString() } }),
    ]);
    await orgKnown(admin, orgId);
    await loadVisitorLinks(admin, orgId, MEMBERS);
    await probe.listen([Topics.campaignImports]);

    const newImport = (audienceId: string) => createFullImport(probe, importer, tenant, audienceId);
    const completed = (importId: string) =>
      probe.waitFor('import completed', (m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === importId, 1, 600_000);

    /**
     * XC publishes a snapshot of `count` members as xc.audience.members chunks; resolves when
     * Campaign hears it completed. XC's events are built before the clock starts (their
     * serialisation and publication are in it), as the COPY's rows and the file are below.
     */
    const importViaEvents = async (audienceId: string, count: number) => {
      const importId = await newImport(audienceId);
      const chunks = snapshotChunks(orgId, audienceId, 0, count);
      const cpu = cpuSeconds(services);
      const start = process.hrtime.bigint();
      for (const chunk of chunks) await publish([chunk]);
      const published = seconds(start);
      const [outcome] = await completed(importId);
      return { outcome, seconds: seconds(start), published, cpu: cpuSpent(services, cpu) };
    };

    // Memory first: a SMALL-member import, then the full size through the same process.
    await importViaEvents('900000', SMALL);
    const smallRss = peakRssMb(importer.process.pid);

    // XC events path.
    const eventsRun = await importViaEvents('900001', MEMBERS);
    const eventsOutcome = eventsRun.outcome;
    const eventsSeconds = eventsRun.seconds;
    const eventsRss = peakRssMb(importer.process.pid);

    // Audience Manager file path: the same members as one outbound file, uploaded.
    const fileImport = await newImport('900002');
    const fileChunks = [...textChunks((i) => `${ecid(i)} 900002 \n`)].map((text) => Buffer.from(text));
    const fileCpu = cpuSeconds(services);
    const fileStart = process.hrtime.bigint();
    const uploaded = await upload(`${importer.url}/v1/files?name=S3_1_0_bench_full_${Date.now()}-0.sync`, tenant.auth, fileChunks);
    if (uploaded.status !== 200) throw new Error(`upload: ${uploaded.status} ${uploaded.body}`);
    const fileAccepted = seconds(fileStart);
    const [fileOutcome] = await completed(fileImport);
    const fileSeconds = seconds(fileStart);
    const fileCpuSpent = cpuSpent(services, fileCpu);
    const fileRss = peakRssMb(importer.process.pid);

    // Baseline: the same rows, raw COPY into a fresh table.
    await admin.query(`CREATE TABLE bench_import_copy_${process.pid} (xc_id text NOT NULL, recipient_id text NOT NULL)`);
    const rows = [...textChunks((i) => `${ecid(i)}\t${recipient(i)}\n`)];
    const copyStart = process.hrtime.bigint();
    await copy(admin, `bench_import_copy_${process.pid} (xc_id, recipient_id)`, rows);
    const copySeconds = seconds(copyStart);
    await admin.query(`DROP TABLE bench_import_copy_${process.pid}`);

    const baseline: Measurement = { name: 'raw COPY of the same rows into Postgres', count: MEMBERS, unit: 'members', seconds: copySeconds };
    const events: Measurement = { name: 'import via xc.audience.members events', count: MEMBERS, unit: 'members', seconds: eventsSeconds, peakRssMb: eventsRss };
    const file: Measurement = { name: 'import via outbound file upload', count: MEMBERS, unit: 'members', seconds: fileSeconds, peakRssMb: fileRss };
    const counts = (outcome: ProbedMessage): number => outcome.json?.data?.counts?.added;
    return {
      events: report(`import: ${MEMBERS.toLocaleString('en-US')}-member audience end to end, XC events (target <= 10 s)`, events, baseline, {
        'members added': counts(eventsOutcome),
        'chunks published by XC after': `${eventsRun.published.toFixed(2)} s`,
        'CPU used by the services (Postgres, Kafka apart)': eventsRun.cpu,
        [`peak RSS of audience-import after a ${SMALL.toLocaleString('en-US')}-member import`]: `${smallRss} MB`,
        ...(Object.keys(SERVICE_ENV).length ? { 'audience-import ran with': JSON.stringify(SERVICE_ENV) } : {}),
        ...(Object.keys(IDREC_ENV).length ? { 'id-reconciliation ran with': JSON.stringify(IDREC_ENV) } : {}),
        'peak RSS of audience-import (VmHWM)': `${eventsRss} MB`,
      }),
      file: report(`import: ${MEMBERS.toLocaleString('en-US')}-member audience end to end, outbound file (target <= 10 s)`, file, baseline, {
        'members added': counts(fileOutcome),
        'file parsed and accepted after': `${fileAccepted.toFixed(2)} s`,
        'CPU used by the services (Postgres, Kafka apart)': fileCpuSpent,
        'peak RSS of audience-import (VmHWM)': `${fileRss} MB`,
      }),
    };
  } finally {
    if (process.env.BENCH_VERBOSE) for (const service of services) console.log(`--- ${service.name} output ---\n${service.output().slice(-12_000)}`);
    await Promise.all(services.map((service) => service.stop()));
    await ims.stop();
    await probe.close();
    await admin.end();
  }
}

/** Waits until id-reconciliation and audience-import both know the org (from ims.org.created). */
export async function orgKnown(admin: Client, orgId: string): Promise<void> {
  await waitFor('org known to both services', async () => {
    const { rows } = await admin.query(`SELECT (SELECT count(*) FROM idrec.orgs WHERE org_id = $1) + (SELECT count(*) FROM audience_import.known_orgs WHERE org_id = $1) AS n`, [
      orgId,
    ]);
    return Number(rows[0].n) === 2;
  });
}

/**
 * Fixture only (not measured): links ecid(i) -> recipient(i), i < count, loaded straight into
 * idrec's table and into audience-import's replica of the identity graph (what the changelog would
 * have brought it; the replica bench measures that separately).
 */
export async function loadVisitorLinks(admin: Client, orgId: string, count: number): Promise<void> {
  await copy(
    admin,
    'idrec.visitor_links (org_id, ecid, recipient_id, observed_at)',
    textChunks((i) => `${orgId}\t${ecid(i)}\t${recipient(i)}\t2024-01-01T00:00:00Z\n`, count),
  );
  await admin.query('ANALYZE idrec.visitor_links');
  await copy(
    admin,
    'audience_import.identity_links (org_id, data_source_id, xc_id, recipient_id, observed_at)',
    textChunks((i) => `${orgId}\tvisitor\t${ecid(i)}\t${recipient(i)}\t2024-01-01T00:00:00Z\n`, count),
  );
  await admin.query('ANALYZE audience_import.identity_links');
}

/** Catalogues an XC audience (as XC does) and creates a `full` import of it; returns the import id. */
export async function createFullImport(probe: KafkaProbe, importer: RunningService, tenant: { orgId: string; auth: Record<string, string> }, audienceId: string): Promise<string> {
  const orgId = tenant.orgId;
  await probe.publish(Topics.xcAudiences, [
    createEvent({
      type: EventTypes.xcAudiencePublished,
      source: '/bench',
      orgId,
      aggregateId: audienceId,
      data: { audienceId, name: audienceId, solution: 'audience-manager', labels: [] },
    }),
  ]);
  await waitFor('audience catalogued', async () => (await fetch(`${importer.url}/v1/xc-audiences/${audienceId}`, { headers: tenant.auth })).status === 200);
  const response = await fetch(`${importer.url}/v1/imports`, {
    method: 'POST',
    headers: { ...tenant.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ audienceId, listLabel: audienceId, dataSourceId: 'visitor', mode: 'full' }),
  });
  if (!response.ok) throw new Error(`/v1/imports: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** A full snapshot of ecid(from) .. ecid(from + count - 1) as xc.audience.members chunks of at most 10,000 ids. */
export function snapshotChunks(orgId: string, audienceId: string, from: number, count: number): AnyHubEvent[] {
  const parts = Math.ceil(count / MAX_CHUNK_IDS);
  return Array.from(
    { length: parts },
    (_, part) =>
      createEvent({
        type: EventTypes.xcAudienceMembers,
        source: '/bench',
        orgId,
        aggregateId: audienceId,
        data: {
          audienceId,
          snapshotId: `bench-${audienceId}`,
          mode: 'full',
          idType: 'visitor',
          part,
          lastPart: part === parts - 1,
          added: Array.from({ length: Math.min(MAX_CHUNK_IDS, count - part * MAX_CHUNK_IDS) }, (_, k) => ecid(from + part * MAX_CHUNK_IDS + k)),
          removed: [],
        },
      }) as AnyHubEvent,
  );
}

/** Rows 0..count-1 as text, 10,000 to a string. */
export function* textChunks(line: (i: number) => string, count = MEMBERS): Generator<string> {
  for (let i = 0; i < count; i += 10_000) {
    let text = '';
    for (let k = i; k < Math.min(i + 10_000, count); k++) text += line(k);
    yield text;
  }
}

export async function copy(client: Client, target: string, chunks: Iterable<string>): Promise<void> {
  await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${target} FROM STDIN`)));
}

/**
 * POSTs `chunks` as a streamed body with node:http, as curl would: the service reads the file while
 * it applies it and answers once the file is applied, which for ten million lines takes longer
 * than fetch's (undici's) default header and body timeouts of 300 s; node:http has none.
 */
export function upload(url: string, headers: Record<string, string>, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => (body += text));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    Readable.from(chunks).on('error', reject).pipe(req);
  });
}

export function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** The launcher's environment for the bench database (consumer groups of its own per call). */
export function asTestEnv(env: BenchEnv): TestEnv {
  const brokers = env.kafkaBrokers.join(',');
  const run = randomUUID().slice(0, 8);
  return {
    kafkaBrokers: env.kafkaBrokers,
    databaseUrl: env.databaseUrl,
    serviceDatabaseUrl: env.serviceDatabaseUrl,
    serviceEnv: (service, extra = {}) => ({
      DATABASE_URL: env.serviceDatabaseUrl(service),
      KAFKA_BROKERS: brokers,
      KAFKA_CONSUMER_GROUP: `bench.${run}.${service}`,
      KAFKA_NEW_GROUP_START: 'latest',
      OUTBOX_POLL_INTERVAL_MS: '200',
      // Every run starts from an empty database: the services migrate it at start.
      DATABASE_MIGRATIONS: 'auto',
      ...extra,
    }),
  };
}
