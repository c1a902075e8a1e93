import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createEvent, EventTypes, MAX_CHUNK_IDS, Topics } from '@audience-hub/contracts';
import { copyRows } from '@audience-hub/persistence';
import { typeHeader } from '@audience-hub/messaging';
import { KafkaProbe, launchService, newOrgId, waitFor } from '@audience-hub/testing';
import { DataSource } from 'typeorm';
import { cpuSeconds, cpuSpent, machineCpu, peakRssMb } from './process-usage';
import { report, type BenchEnv, type Measurement } from './bench-env';

const IDS = Number(process.env.BENCH_RESOLUTION_IDS ?? 1_000_000);
/** Extra environment of the id-reconciliation process, as JSON (e.g. a heap cap: {"NODE_OPTIONS":"--max-old-space-size=96"}). */
const SERVICE_ENV: Record<string, string> = JSON.parse(process.env.BENCH_RESOLUTION_SERVICE_ENV ?? '{}');

/** The bench reads the answers as a requester does: the requests on the same topic pass by unparsed. */
const ANSWERS_ONLY = { types: [EventTypes.idrecResolutionResolved] };

const ecid = (n: number) => `9${String(n).padStart(37, '0')}`;

function idrecEnv(env: BenchEnv, group: string): Record<string, string> {
  return {
    DATABASE_URL: env.serviceDatabaseUrl('id-reconciliation'),
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    KAFKA_CONSUMER_GROUP: group,
    KAFKA_NEW_GROUP_START: 'latest',
    LOG_LEVEL: 'warn',
    ...SERVICE_ENV,
  };
}

/** Set-up, not measured: an org with half of the ids linked (as Campaign's observations would have). */
async function seed(env: BenchEnv, orgId: string): Promise<void> {
  const admin = new DataSource({ type: 'postgres', url: env.databaseUrl, extra: { options: '-c search_path=idrec' } });
  await admin.initialize();
  try {
    await admin.transaction(async (tx) => {
      await tx.query(`INSERT INTO orgs (org_id, name) VALUES ($1, 'bench')`, [orgId]);
      await tx.query(
        `INSERT INTO data_sources (org_id, data_source_id, name, id_type, integration_code, built_in) VALUES ($1, 'visitor', 'Recipient - Visitor ID', 'visitor', 'v', true)`,
        [orgId],
      );
      await copyRows(tx, 'idrec.visitor_links', ['org_id', 'ecid', 'recipient_id', 'observed_at'], linkedRows(orgId));
    });
    await admin.query(`ANALYZE idrec.visitor_links`);
  } finally {
    await admin.destroy();
  }
}

/**
 * 1,000,000 ECIDs (half linked to recipients) resolved to recipients by the id-reconciliation
 * process through Kafka, in chunks of 10,000, beside the same join done by one SQL statement.
 */
export async function resolutionThroughput(env: BenchEnv): Promise<Record<string, unknown>> {
  const orgId = newOrgId();
  const group = `bench-${randomUUID().slice(0, 8)}.id-reconciliation`;
  const idrec = await launchService('id-reconciliation', idrecEnv(env, group), {
    nodeArgs: process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [],
  });
  const probe = new KafkaProbe(env.kafkaBrokers);
  try {
    await seed(env, orgId);
    await probe.listen([Topics.idrecResolutions], ANSWERS_ONLY);
    const subject = await throughKafka(probe, orgId);
    const baseline = await oneStatement(env.databaseUrl, orgId);
    return report(`id-reconciliation: resolve ${IDS.toLocaleString('en-US')} ECIDs, half matching (ids/s)`, { ...subject, peakRssMb: peakRssMb(idrec.process.pid) }, baseline, {
      'chunk size': MAX_CHUNK_IDS,
      'matched (Kafka path)': subject.matched,
      'matched (baseline)': baseline.matched,
    });
  } finally {
    await probe.close();
    await idrec.stop();
  }
}

/**
 * Scale-out: the same resolution with two id-reconciliation instances in one consumer group,
 * beside one instance, in the same run.
 */
export async function resolutionScaleOut(env: BenchEnv): Promise<Record<string, unknown>> {
  const orgId = newOrgId();
  const migrator = await launchService('id-reconciliation', idrecEnv(env, `bench-${randomUUID().slice(0, 8)}.migrate`)); // creates the schema
  await migrator.stop();
  await seed(env, orgId);
  const probe = new KafkaProbe(env.kafkaBrokers);
  await probe.listen([Topics.idrecResolutions]);
  const usage: Record<string, string> = {};
  const run = async (instances: number): Promise<Measurement> => {
    const group = `bench-${randomUUID().slice(0, 8)}.id-reconciliation`;
    const running = [];
    for (let i = 0; i < instances; i++) running.push(await launchService('id-reconciliation', idrecEnv(env, group)));
    // Every instance holds partitions before the clock starts.
    await groupStable(env, group, instances);
    try {
      const cpuBefore = cpuSeconds(running);
      const machine = machineCpu();
      const measured = await throughKafka(probe, orgId);
      usage[`machine busy, ${instances} instance(s)`] = machine.busyShare();
      usage[`CPU by instance, ${instances} instance(s)`] = cpuSpent(running, cpuBefore, running.map((_, i) => `id-reconciliation#${i}`));
      return { ...measured, name: `${instances} instance${instances > 1 ? 's' : ''} in one consumer group` };
    } finally {
      await Promise.all(running.map((service) => service.stop()));
    }
  };
  try {
    const one = await run(1);
    const two = await run(2);
    return report('scale-out: id-reconciliation resolution, two instances vs one (ids/s)', two, one, {
      ...usage,
      note: 'both instances, Postgres, Kafka and the load generator share 2 cores: the ratio is bounded by the machine, not the partitioning',
    });
  } finally {
    await probe.close();
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

function* linkedRows(orgId: string): Generator<string[]> {
  const observedAt = new Date().toISOString();
  for (let n = 0; n < IDS; n += 2) yield [orgId, ecid(n), `rcp-${n}`, observedAt];
}

async function throughKafka(probe: KafkaProbe, orgId: string): Promise<Measurement & { matched: number }> {
  const requestId = `bench-${randomUUID().slice(0, 8)}`;
  const parts = Math.ceil(IDS / MAX_CHUNK_IDS);
  // The requests are made and serialized before the clock starts: the load generator's own work
  // (a million ids built) is not the system's, as the baseline's ids are already in a table.
  const requests = Array.from({ length: parts }, (_, part) => {
    const ids = Array.from({ length: Math.min(MAX_CHUNK_IDS, IDS - part * MAX_CHUNK_IDS) }, (_, i) => ecid(part * MAX_CHUNK_IDS + i));
    const request = createEvent({
      type: EventTypes.idrecResolutionRequested,
      source: '/bench',
      orgId,
      aggregateId: `${requestId}/${part}`, // keyed per part, as audience-import and audience-export key theirs
      data: { requestId, requester: 'bench', dataSourceId: 'visitor', direction: 'to-recipients', part, lastPart: part === parts - 1, ids },
    });
    return { key: request.partitionkey, value: JSON.stringify(request), headers: typeHeader(request.type) };
  });
  const started = process.hrtime.bigint();
  for (const request of requests) await probe.publish(Topics.idrecResolutions, [request]);
  const published = Number(process.hrtime.bigint() - started) / 1e9;
  await probe.waitFor('first answer', (m) => m.json?.type === EventTypes.idrecResolutionResolved && m.json.data.requestId === requestId, 1, 600_000);
  const firstAnswer = Number(process.hrtime.bigint() - started) / 1e9;
  if (process.env.BENCH_VERBOSE) console.log(`published in ${published.toFixed(2)} s, first answer at ${firstAnswer.toFixed(2)} s`);
  const answers = await probe.waitFor('all answers', (m) => m.json?.type === EventTypes.idrecResolutionResolved && m.json.data.requestId === requestId, parts, 600_000);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (process.env.BENCH_VERBOSE) {
    const t0 = Math.min(...answers.map((m) => m.timestamp));
    console.log(answers.map((m) => `p${m.partition} sent+${m.timestamp - t0} recv+${m.receivedAt - t0}`).join('\n'));
  }
  const matched = answers.reduce((sum, m) => sum + m.json.data.matched.length, 0);
  probe.received.length = 0;
  return { name: 'request chunks -> Kafka -> idrec -> answers', count: IDS, unit: 'ids', seconds, matched };
}

async function oneStatement(databaseUrl: string, orgId: string): Promise<Measurement & { matched: number }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ids = Array.from({ length: IDS }, (_, n) => ecid(n));
    const started = process.hrtime.bigint();
    const { rows } = await client.query(
      `SELECT count(v.recipient_id)::int AS matched FROM unnest($2::text[]) AS i(id) LEFT JOIN idrec.visitor_links v ON v.org_id = $1 AND v.ecid = i.id`,
      [orgId, ids],
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { name: 'the same join, one SQL statement', count: IDS, unit: 'ids', seconds, matched: rows[0].matched };
  } finally {
    await client.end();
  }
}
