import { Client } from 'pg';
import type { Producer } from 'kafkajs';
import { createEvent, EventTypes, Topics, type AnyHubEvent, type Topic } from '@audience-hub/contracts';
import { createIdempotentProducer, physicalTopic, typeHeader } from '@audience-hub/messaging';
import { ImsTestClient, launchService, waitFor, withHeapCap, type RunningService, type Tenant } from '@audience-hub/testing';
import { report, type BenchEnv, type Measurement } from './bench-env';
import { asTestEnv, ecid, recipient } from './import.bench';
import { rawConsumption } from './kafka-load';
import { backendCpuMeter, backendsCpuSeconds, cpuProfileArgs, cpuSpent, peakRssMb, secondsSince } from './process-usage';

const EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 1_000_000);
/** Upserts of the run with many declared data sources: each writes one declared id per source. */
const WIDE_EVENTS = Number(process.env.BENCH_INGEST_WIDE_EVENTS ?? 200_000);
const WIDE_SOURCES = Number(process.env.BENCH_INGEST_WIDE_SOURCES ?? 10);
const PUBLISH_BATCH = 10_000;

/**
 * Campaign's events applied by id-reconciliation (a process, as deployed): EVENTS recipient upserts
 * (one event each, in an org with one declared data source keyed on a hashed e-mail), then EVENTS
 * visitor observations of new ECIDs, then WIDE_EVENTS upserts in an org with WIDE_SOURCES declared
 * data sources. The events are on Kafka first; each run is timed from id-reconciliation's start
 * until the last of its changelog records (one per declared id or ECID linked) is on
 * `idrec.identity-links.v1`. Baselines in the
 * same run: a raw kafkajs consumer group reading the same events, and one set-based SQL upsert of
 * the same recipients into a table shaped like id-reconciliation's.
 */
export async function ingestBench(env: BenchEnv): Promise<Record<string, unknown>[]> {
  const testEnv = asTestEnv(env);
  const admin = new Client({ connectionString: env.databaseUrl });
  await admin.connect();
  const producer = createIdempotentProducer(env.kafka);
  await producer.connect();
  const ims = await ImsTestClient.start(testEnv);
  const heap = process.env.BENCH_INGEST_HEAP_MB;
  const profile = process.env.BENCH_INGEST_PROFILE_DIR;
  // BENCH_INGEST_IDREC_ENV: more environment of id-reconciliation, as JSON, to compare settings.
  const extra = withHeapCap(JSON.parse(process.env.BENCH_INGEST_IDREC_ENV ?? '{}'), heap);
  const idrecEnv = testEnv.serviceEnv('id-reconciliation', { ...ims.trustEnv, ...extra });
  const launch = () => launchService('id-reconciliation', idrecEnv, { nodeArgs: cpuProfileArgs(profile) });
  let idrec: RunningService | undefined = await launch();
  const results: Record<string, unknown>[] = [];
  /**
   * The events wait on Kafka while id-reconciliation is down (as after an outage, or at
   * onboarding); the clock runs from its start until `records` more changelog records are on
   * Kafka than before.
   */
  const ingest = async (topic: Topic, count: number, records: number, eventOf: (i: number) => AnyHubEvent) => {
    progress(`${topic}: stopping id-reconciliation`);
    await idrec?.stop();
    idrec = undefined;
    const changelog = await topicEnd(env, Topics.idrecIdentityLinks);
    progress(`${topic}: sending ${count} events (changelog at ${changelog})`);
    const sendStart = process.hrtime.bigint();
    await send(producer, topic, count, eventOf);
    const sendSeconds = secondsSince(sendStart);
    progress(`${topic}: sent in ${sendSeconds.toFixed(1)} s; starting id-reconciliation`);
    const start = process.hrtime.bigint();
    idrec = await launch();
    progress(`${topic}: id-reconciliation ready (pid ${idrec.process.pid})`);
    const running = idrec;
    await waitFor(
      'every changelog record on Kafka',
      async () => {
        running.assertRunning();
        return (await topicEnd(env, Topics.idrecIdentityLinks)) >= changelog + records;
      },
      {
        timeoutMs: 3_600_000,
        intervalMs: 100,
      },
    );
    const seconds = secondsSince(start);
    if (process.env.BENCH_VERBOSE) console.log(idrec.output().slice(-20_000));
    // Postgres's share, counted on the service's own connections (opened at its start): with the
    // service's, the CPU an event costs, a figure a busy machine changes far less than wall time.
    const postgresCpu = await backendsCpuSeconds(admin, 'audience_hub_idrec');
    return { seconds, sendSeconds, cpu: `${cpuSpent([idrec], [0])}, its Postgres connections ${postgresCpu.toFixed(1)} s`, rss: peakRssMb(idrec.process.pid) };
  };
  try {
    const tenant = await ims.tenant(['identities.read', 'identities.write'], 'ingest bench');
    await createSource(idrec, tenant, { name: 'CRM e-mail', attribute: 'email', normalization: ['trim', 'lowercase', 'sha256'] });
    const wide = await ims.tenant(['identities.read', 'identities.write'], 'ingest bench, many sources');
    await createSource(idrec, wide, { name: 'CRM e-mail', attribute: 'email', normalization: ['trim', 'lowercase', 'sha256'] });
    for (let s = 1; s < WIDE_SOURCES; s++) await createSource(idrec, wide, { name: `CRM key ${s}`, attribute: `key${s}`, normalization: ['trim'] });

    const upserts = await ingest(Topics.campaignRecipients, EVENTS, EVENTS, (i) => upsertOf(tenant.orgId, i, 1));
    const rawUpserts = await rawConsumption(env, Topics.campaignRecipients, EVENTS);
    const sqlUpsert = await setBasedUpsert(admin, EVENTS, 1);
    const observations = await ingest(Topics.campaignVisitorObservations, EVENTS, EVENTS, (i) => observationOf(tenant.orgId, i));
    const rawObservations = await rawConsumption(env, Topics.campaignVisitorObservations, EVENTS);

    const measured = (name: string, count: number, seconds: number, peak?: number): Measurement => ({ name, count, unit: 'events', seconds, peakRssMb: peak });
    const title = (what: string) => `ingest: ${EVENTS.toLocaleString('en-US')} ${what}, one event each, until the last changelog record is on Kafka`;
    const from = 'id-reconciliation (from its start) applies the';
    results.push(
      report(
        title('recipient upserts (one declared data source, hashed e-mail)'),
        measured(`${from} upserts`, EVENTS, upserts.seconds, upserts.rss),
        measured('raw kafkajs consumption of the same events', EVENTS, rawUpserts),
        {
          'set-based SQL upsert of the same rows': setBased(sqlUpsert, EVENTS, 'rows'),
          'CPU used by id-reconciliation': upserts.cpu,
          'sending the events to Kafka (before) took': `${upserts.sendSeconds.toFixed(2)} s`,
        },
      ),
    );
    results.push(
      report(
        title('visitor observations of new ECIDs'),
        measured(`${from} observations`, EVENTS, observations.seconds, observations.rss),
        measured('raw kafkajs consumption of the same events', EVENTS, rawObservations),
        {
          'CPU used by id-reconciliation': observations.cpu,
        },
      ),
    );
    if (WIDE_EVENTS > 0) {
      const many = await ingest(Topics.campaignRecipients, WIDE_EVENTS, WIDE_EVENTS * WIDE_SOURCES, (i) => upsertOf(wide.orgId, i, WIDE_SOURCES));
      const rawMany = await rawConsumption(env, Topics.campaignRecipients, EVENTS + WIDE_EVENTS);
      const sqlMany = await setBasedUpsert(admin, WIDE_EVENTS, WIDE_SOURCES);
      results.push(
        report(
          `ingest: ${WIDE_EVENTS.toLocaleString('en-US')} recipient upserts in an org with ${WIDE_SOURCES} declared data sources (${(WIDE_EVENTS * WIDE_SOURCES).toLocaleString('en-US')} declared ids)`,
          measured(`${from} upserts`, WIDE_EVENTS, many.seconds, many.rss),
          measured('raw kafkajs consumption (the whole topic)', EVENTS + WIDE_EVENTS, rawMany),
          {
            [`set-based SQL upsert of the same recipients and their ${(WIDE_EVENTS * WIDE_SOURCES).toLocaleString('en-US')} declared ids`]: setBased(
              sqlMany,
              WIDE_EVENTS,
              'upserts',
            ),
            'CPU used by id-reconciliation': many.cpu,
          },
        ),
      );
    }
    return results;
  } finally {
    await idrec?.stop();
    await ims.stop();
    await producer.disconnect();
    await admin.end();
  }
}

const setBased = ({ seconds, cpuSeconds }: { seconds: number; cpuSeconds: number }, count: number, unit: string): string =>
  `${seconds.toFixed(2)} s = ${Math.round(count / seconds).toLocaleString('en-US')} ${unit}/s (its backend's CPU ${cpuSeconds.toFixed(1)} s)`;

/** BENCH_VERBOSE=1: where the benchmark is, as it goes. */
function progress(line: string): void {
  if (process.env.BENCH_VERBOSE) console.error(`[ingest ${new Date().toISOString().slice(11, 23)}] ${line}`);
}

async function send(producer: Producer, topic: Topic, count: number, eventOf: (i: number) => AnyHubEvent): Promise<void> {
  for (let first = 0; first < count; first += PUBLISH_BATCH) {
    const messages = [];
    for (let i = first; i < Math.min(first + PUBLISH_BATCH, count); i++) {
      const event = eventOf(i);
      messages.push({ key: event.partitionkey, value: JSON.stringify(event), headers: typeHeader(event.type) });
    }
    await producer.send({ topic: physicalTopic(topic), acks: -1, messages });
  }
}

async function createSource(idrec: RunningService, tenant: Tenant, key: { name: string; attribute: string; normalization: string[] }): Promise<void> {
  const response = await fetch(`${idrec.url}/v1/data-sources`, {
    method: 'POST',
    headers: { ...tenant.auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: key.name,
      idType: 'declared',
      integrationCode: key.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_'),
      reconciliationKey: { attribute: key.attribute, normalization: key.normalization },
    }),
  });
  if (response.status !== 201) throw new Error(`creating data source ${key.name}: ${response.status} ${await response.text()}`);
}

function upsertOf(orgId: string, i: number, sources: number): AnyHubEvent {
  const attributes: Record<string, string> = { email: ` User.${i}@Example.com `, firstName: `First ${i}`, city: 'Basel' };
  for (let s = 1; s < sources; s++) attributes[`key${s}`] = `K${s}-${i}`;
  return campaignEvent(orgId, EventTypes.campaignRecipientUpserted, { recipientId: recipient(i), attributes });
}

function observationOf(orgId: string, i: number): AnyHubEvent {
  return campaignEvent(orgId, EventTypes.campaignVisitorObserved, {
    recipientId: recipient(i),
    ecid: ecid(i),
    observedAt: new Date(Date.UTC(2026, 10, 1) + i).toISOString(),
    channel: 'web',
  });
}

function campaignEvent(orgId: string, type: AnyHubEvent['type'], data: Record<string, unknown>): AnyHubEvent {
  return createEvent({ type, source: '/campaign', orgId, aggregateId: String(data.recipientId), data } as never) as AnyHubEvent;
}

/** The sum of the topic's partitions' end offsets. */
async function topicEnd(env: BenchEnv, topic: Topic): Promise<number> {
  const admin = env.kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(physicalTopic(topic))).reduce((sum, { high }) => sum + Number(high), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The same recipients upserted set-based into tables shaped like id-reconciliation's: one
 * statement for their attributes, one for their declared ids (the hashed e-mail, and the trimmed
 * key of each further source). Wall seconds and the backend's CPU.
 */
async function setBasedUpsert(admin: Client, count: number, sources: number): Promise<{ seconds: number; cpuSeconds: number }> {
  await admin.query(
    `CREATE TEMP TABLE bench_recipients (org_id text, recipient_id text, attributes jsonb, updated_at timestamptz DEFAULT now(), PRIMARY KEY (org_id, recipient_id))`,
  );
  await admin.query(
    `CREATE TEMP TABLE bench_declared_ids (org_id text, data_source_id text, declared_id text, recipient_id text, linked_at timestamptz DEFAULT now(), PRIMARY KEY (org_id, data_source_id, declared_id))`,
  );
  await admin.query(`CREATE INDEX ON bench_declared_ids (recipient_id, org_id, data_source_id)`);
  const cpu = await backendCpuMeter(admin);
  const start = process.hrtime.bigint();
  await admin.query(
    `INSERT INTO bench_recipients (org_id, recipient_id, attributes)
     SELECT 'org', 'rcp-' || i, jsonb_build_object('email', ' User.' || i || '@Example.com ', 'firstName', 'First ' || i, 'city', 'Basel')
                                || coalesce((SELECT jsonb_object_agg('key' || s, 'K' || s || '-' || i) FROM generate_series(1, $2 - 1) AS s), '{}')
       FROM generate_series(0, $1 - 1) AS i
     ON CONFLICT (org_id, recipient_id) DO UPDATE SET attributes = bench_recipients.attributes || EXCLUDED.attributes, updated_at = now()`,
    [count, sources],
  );
  await admin.query(
    `INSERT INTO bench_declared_ids (org_id, data_source_id, declared_id, recipient_id)
     SELECT 'org', 'ds-' || s,
            CASE WHEN s = 0 THEN encode(sha256(convert_to(lower(trim(attributes->>'email')), 'UTF8')), 'hex') ELSE trim(attributes->>('key' || s)) END, recipient_id
       FROM bench_recipients, generate_series(0, $1 - 1) AS s
     ON CONFLICT (org_id, data_source_id, declared_id) DO UPDATE SET recipient_id = EXCLUDED.recipient_id, linked_at = now()`,
    [sources],
  );
  const seconds = secondsSince(start);
  const cpuSeconds = cpu();
  await admin.query(`DROP TABLE bench_recipients, bench_declared_ids`);
  return { seconds, cpuSeconds };
}
