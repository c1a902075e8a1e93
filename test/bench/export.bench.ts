import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Kafka } from 'kafkajs';
import { createEvent, EventTypes, identityLinkAggregateId, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { createIdempotentProducer, deletePrefixedTopics, ensureTopics, physicalTopic } from '@audience-hub/messaging';
import { launchService, newOrgId, waitFor, type RunningService } from '@audience-hub/testing';
import { asTestEnv } from './import.bench';
import { report, type BenchEnv, type Measurement } from './bench-env';
import { cpuProfileArgs } from './process-usage';

const MEMBERS = Number(process.env.BENCH_EXPORT_MEMBERS ?? 1_000_000);
const CHANGED = Math.round(MEMBERS * 0.01);
/** Links published as id-reconciliation's changelog records (the rest are loaded into the replica's table as a fixture). */
const PUBLISHED_LINKS = 10_000;
/** Links moved to other recipients before the last update (a whole-list comparison). */
const RELINKED = 1_000;
const source = '/bench';

/** Recipient n resolves to one ECID, except every hundredth, which has none (unmapped). */
const ecidOf = (n: number) => `9${String(n).padStart(37, '0')}`;
const isMapped = (n: number) => n % 100 !== 99;
const recipient = (n: number) => `r-${n}`;

/**
 * "Update shared audience" of a 1,000,000-member list through the real audience-export process:
 * list events in, an update request in, members-changed chunks and an inbound file out. The
 * service resolves against its replica of the identity graph, seeded before the clock starts (the
 * first links as id-reconciliation's changelog records through Kafka, the rest loaded into the
 * replica's table), so the figure is audience-export's own. Then an update where 1% of the list
 * changed, and one after links moved (the whole list compared again). Baseline in the same run:
 * the same diff as one SQL statement over the same rows, resolution excluded.
 */
export async function exportBench(env: BenchEnv): Promise<Record<string, unknown>> {
  // bench-env gave this run topics of its own already.
  if (process.env.KAFKA_TOPIC_PREFIX) return exportBenchOnOwnTopics(env);
  // Topics of its own (inherited by the service it launches): nobody else's id-reconciliation or
  // consumers on a shared broker see these events, and this bench sees nobody else's.
  const previousPrefix = process.env.KAFKA_TOPIC_PREFIX;
  process.env.KAFKA_TOPIC_PREFIX = `${previousPrefix ?? ''}bench-export-${randomUUID().slice(0, 8)}.`;
  // Topic creation on a busy shared broker sometimes answers before the leaders are known: retry.
  await waitFor(
    'bench topics created',
    () =>
      ensureTopics(env.kafka, { partitions: 6, replicationFactor: 1 }).then(
        () => true,
        () => false,
      ),
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );
  try {
    return await exportBenchOnOwnTopics(env);
  } finally {
    await deletePrefixedTopics(env.kafka).catch((error) => console.warn(`could not delete the bench topics: ${error}`));
    if (previousPrefix === undefined) delete process.env.KAFKA_TOPIC_PREFIX;
    else process.env.KAFKA_TOPIC_PREFIX = previousPrefix;
  }
}

async function exportBenchOnOwnTopics(env: BenchEnv): Promise<Record<string, unknown>> {
  const orgId = newOrgId();
  const sinkDir = mkdtempSync(join(tmpdir(), 'bench-export-'));
  const db = new Client({ connectionString: env.databaseUrl });
  await db.connect();
  const producer = createIdempotentProducer(env.kafka);
  await producer.connect();
  const publish = async (topic: string, events: AnyHubEvent[]) =>
    producer.send({ topic: physicalTopic(topic), acks: -1, messages: events.map((event) => ({ key: event.partitionkey, value: JSON.stringify(event) })) });
  const outcomes = await watchOutcomes(env.kafka, orgId);
  let service: RunningService | undefined;
  try {
    const profileDir = process.env.BENCH_EXPORT_CPU_PROF;
    service = await launchService(
      'audience-export',
      asTestEnv(env).serviceEnv('audience-export', { EXPORT_FILE_SINK_DIR: sinkDir, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' }),
      // BENCH_EXPORT_CPU_PROF=<dir>: a V8 CPU profile of audience-export, written when it stops.
      { nodeArgs: cpuProfileArgs(profileDir) },
    );
    await publish(Topics.idrecDataSources, [
      createEvent({
        type: EventTypes.idrecDataSourceUpserted,
        source,
        orgId,
        aggregateId: 'visitor',
        data: {
          dataSourceId: 'visitor',
          name: 'Recipient - Visitor ID',
          idType: 'visitor',
          integrationCode: 'AdobeCampaignVisitorID',
          builtIn: true,
          exportControls: [],
          xcDataSourceId: '163447',
        },
      }),
    ]);
    const linksStarted = Date.now();
    const links = await seedReplica(db, publish, orgId);
    console.log(`(replica of ${links.toLocaleString('en-US')} links in place in ${((Date.now() - linksStarted) / 1000).toFixed(1)} s, not part of the figures)`);
    const listId = 'bench-list';
    const loadStarted = Date.now();
    await publish(Topics.campaignLists, [createEvent({ type: EventTypes.campaignListCreated, source, orgId, aggregateId: listId, data: { listId, label: 'bench' } })]);
    for (let first = 0; first < MEMBERS; first += 100_000) {
      await publish(Topics.campaignLists, membersEvents(EventTypes.campaignListMembersAdded, orgId, listId, first, Math.min(first + 100_000, MEMBERS)));
    }
    const listSize = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM audience_export.campaign_list_members WHERE org_id = $1 AND list_id = $2`, [orgId, listId])).rows[0].n as number;
    await waitFor('list stored', async () => (await listSize()) === MEMBERS, { timeoutMs: 600_000, intervalMs: 500 });
    console.log(`(list of ${MEMBERS} members stored in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s, not part of the figures)`);

    const memory = rssSampler(service.process.pid!);
    const full = await timedUpdate('full export', publish, outcomes, orgId, listId);
    const fullPhases = await phasesOf(db, orgId, full);
    const fullFiles = await waitFor('inbound file written', () => (readdirSync(sinkDir).filter((name) => !name.startsWith('.')).length >= 1 ? readdirSync(sinkDir) : undefined), {
      timeoutMs: 120_000,
    });
    const fullWithFile = (Date.now() - full.startedAt) / 1000;

    // 1% of the list changes: the first CHANGED/2 leave, CHANGED/2 new recipients join.
    const half = Math.floor(CHANGED / 2);
    await publish(Topics.campaignLists, membersEvents(EventTypes.campaignListMembersRemoved, orgId, listId, 0, half));
    await publish(Topics.campaignLists, membersEvents(EventTypes.campaignListMembersAdded, orgId, listId, MEMBERS, MEMBERS + half));
    await waitFor('change stored', async () => {
      const { rows } = await db.query(
        `SELECT count(*) FILTER (WHERE recipient_id = $3)::int AS joined, count(*) FILTER (WHERE recipient_id = 'r-0')::int AS left FROM audience_export.campaign_list_members WHERE org_id = $1 AND list_id = $2`,
        [orgId, listId, recipient(MEMBERS + half - 1)],
      );
      return rows[0].joined === 1 && rows[0].left === 0;
    });
    const delta = await timedUpdate('1% update', publish, outcomes, orgId, listId);
    const deltaPhases = await phasesOf(db, orgId, delta);

    // RELINKED ECIDs of members move to other members (as when Campaign merges profiles): XC holds
    // the same ids, the graph changed, so the next mirror update compares the whole list again.
    const moves = Array.from({ length: RELINKED }, (_, i) => half + i * 7).filter(isMapped);
    await publish(
      Topics.idrecIdentityLinks,
      moves.map((n) => linkEvent(orgId, n, recipient(n + 1))),
    );
    await waitFor('moved links in the replica', async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM audience_export.identity_links l JOIN unnest($2::text[], $3::text[]) AS m(xc_id, recipient_id) USING (xc_id, recipient_id)
          WHERE l.org_id = $1 AND l.data_source_id = 'visitor'`,
        [orgId, moves.map(ecidOf), moves.map((n) => recipient(n + 1))],
      );
      return rows[0].n === moves.length;
    });
    const relinked = await timedUpdate('update after links moved', publish, outcomes, orgId, listId);
    const relinkedPhases = await phasesOf(db, orgId, relinked);
    const peakRssMb = memory.stop();

    const fullBaseline = await sqlBaseline(db, 'full');
    const deltaBaseline = await sqlBaseline(db, 'delta');
    const chunks = outcomes.membersChanged();
    return {
      full: report(
        `export: full export of a ${MEMBERS.toLocaleString('en-US')}-member list (target <= 30 s)`,
        { name: 'update request -> update-completed', count: MEMBERS, unit: 'members', seconds: full.seconds, peakRssMb },
        fullBaseline,
        {
          outcome: JSON.stringify(full.data),
          'phases (s)': fullPhases,
          'with the inbound file written (s)': fullWithFile.toFixed(2),
          files: fullFiles.join(' '),
          'members-changed chunks emitted': chunks.events,
          'ids in chunks': chunks.ids,
        },
      ),
      delta: report(
        `export: update of a list where 1% changed (target <= 3 s)`,
        { name: 'update request -> update-completed', count: MEMBERS, unit: 'members', seconds: delta.seconds, peakRssMb },
        deltaBaseline,
        {
          outcome: JSON.stringify(delta.data),
          'phases (s)': deltaPhases,
          [`update after ${moves.length} links moved (whole list compared) (s)`]: relinked.seconds.toFixed(2),
          'its outcome': JSON.stringify(relinked.data),
          'its phases (s)': relinkedPhases,
          'peak RSS of audience-export (MB)': peakRssMb,
        },
      ),
    };
  } catch (error) {
    if (service) console.error(`--- audience-export output ---\n${service.output().slice(-6000)}`);
    throw error;
  } finally {
    if (process.env.BENCH_VERBOSE) console.log(service?.output().slice(-6000));
    await service?.stop();
    await outcomes.stop();
    await producer.disconnect();
    await db.end();
    rmSync(sinkDir, { recursive: true, force: true });
  }
}

/** Campaign's list changes of recipients from..to-1, 10,000 to an event (`recipientOf` names them). */
export function membersEvents(
  type: typeof EventTypes.campaignListMembersAdded | typeof EventTypes.campaignListMembersRemoved,
  orgId: string,
  listId: string,
  from: number,
  to: number,
  recipientOf: (n: number) => string = recipient,
): AnyHubEvent[] {
  const events: AnyHubEvent[] = [];
  for (let first = from; first < to; first += 10_000) {
    const recipientIds = Array.from({ length: Math.min(10_000, to - first) }, (_, i) => recipientOf(first + i));
    events.push(createEvent({ type, source, orgId, aggregateId: listId, data: { listId, recipientIds } }));
  }
  return events;
}

async function timedUpdate(
  what: string,
  publish: (topic: string, events: AnyHubEvent[]) => Promise<unknown>,
  outcomes: Awaited<ReturnType<typeof watchOutcomes>>,
  orgId: string,
  listId: string,
): Promise<{ seconds: number; startedAt: number; receivedAt: number; data: Record<string, unknown> }> {
  const requestId = `bench-${randomUUID().slice(0, 8)}`;
  const startedAt = Date.now();
  await publish(Topics.campaignSharedAudienceRequests, [
    createEvent({
      type: EventTypes.campaignSharedAudienceUpdateRequested,
      source,
      orgId,
      aggregateId: requestId,
      data: { requestId, listId, segmentName: 'bench audience', dataSourceId: 'visitor', mode: 'mirror' },
    }),
  ]);
  const data = await waitFor(`${what} completed`, () => outcomes.completed.get(requestId), { timeoutMs: 600_000, intervalMs: 10 });
  if (data.state !== 'completed') throw new Error(`${what} ended ${JSON.stringify(data)}`);
  return { seconds: (Date.now() - startedAt) / 1000, startedAt, receivedAt: Date.now(), data };
}

/** Where a run's time went, from its own timestamps: queued and started, final step (resolution, diff, chunks), relay to the outcome's reader. */
async function phasesOf(db: Client, orgId: string, run: { startedAt: number; receivedAt: number; data: Record<string, unknown> }): Promise<string> {
  const { rows } = await db.query(
    `SELECT extract(epoch FROM started_at) * 1000 AS started, extract(epoch FROM finished_at) * 1000 AS finished
       FROM audience_export.shared_audience_updates WHERE org_id = $1 AND update_id = $2`,
    [orgId, run.data.updateId],
  );
  const [row] = rows;
  if (!row) return 'unknown';
  const s = (from: number, to: number) => ((to - from) / 1000).toFixed(2);
  return `start ${s(run.startedAt, Number(row.started))}, final step ${s(Number(row.started), Number(row.finished))}, relay ${s(Number(row.finished), run.receivedAt)}`;
}

/** Recipients n with a link: the mapped ones of the list and of its members-to-be. */
const linked = () => Array.from({ length: MEMBERS + Math.floor(CHANGED / 2) }, (_, n) => n).filter(isMapped);

/** id-reconciliation's changelog record of recipient n's ECID, linked to `recipientId`. */
function linkEvent(orgId: string, n: number, recipientId = recipient(n)): AnyHubEvent {
  return createEvent({
    type: EventTypes.idrecIdentityLinked,
    source: '/bench/id-reconciliation',
    orgId,
    aggregateId: identityLinkAggregateId('visitor', ecidOf(n)),
    data: { dataSourceId: 'visitor', idType: 'visitor', xcId: ecidOf(n), recipientId, observedAt: new Date().toISOString() },
  });
}

/**
 * audience-export's replica holds recipient n's ECID for every linked n: the first
 * PUBLISHED_LINKS as changelog records through Kafka (applied by its replica consumer), the rest
 * copied into its table as a fixture (as the chaos tier loads id-reconciliation's links; building
 * a replica of a million links is the replica benchmark's subject). Returns how many.
 */
async function seedReplica(db: Client, publish: (topic: string, events: AnyHubEvent[]) => Promise<unknown>, orgId: string): Promise<number> {
  const mapped = linked();
  const published = mapped.slice(0, PUBLISHED_LINKS);
  for (let i = 0; i < published.length; i += 5_000)
    await publish(
      Topics.idrecIdentityLinks,
      published.slice(i, i + 5_000).map((n) => linkEvent(orgId, n)),
    );
  const rest = mapped.slice(PUBLISHED_LINKS);
  const at = new Date().toISOString();
  const sink = db.query(copyFrom(`COPY audience_export.identity_links (org_id, data_source_id, xc_id, recipient_id, observed_at) FROM STDIN`));
  await pipeline(
    Readable.from(
      (function* () {
        for (let i = 0; i < rest.length; i += 10_000)
          yield rest
            .slice(i, i + 10_000)
            .map((n) => `${orgId}\tvisitor\t${ecidOf(n)}\t${recipient(n)}\t${at}\n`)
            .join('');
      })(),
    ),
    sink,
  );
  const replicated = async () => Number((await db.query(`SELECT count(*) AS n FROM audience_export.identity_links WHERE org_id = $1`, [orgId])).rows[0].n);
  await waitFor('published links in the replica', async () => (await replicated()) === mapped.length, { timeoutMs: 300_000, intervalMs: 250 });
  await db.query(`VACUUM ANALYZE audience_export.identity_links`);
  return mapped.length;
}

/** update-completed outcomes by request id, and how many member ids the chunks carried. */
async function watchOutcomes(kafka: Kafka, orgId: string) {
  const completed = new Map<string, Record<string, unknown>>();
  let events = 0;
  let ids = 0;
  const consumer = kafka.consumer({ groupId: `bench-outcomes-${randomUUID()}`, maxBytesPerPartition: 16 * 1024 * 1024, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics: [Topics.campaignSharedAudienceResults, Topics.xcCampaignAudiences].map(physicalTopic), fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value!.toString('utf8'));
      if (event.orgid !== orgId) return;
      if (event.type === EventTypes.campaignSharedAudienceUpdateCompleted) completed.set(event.data.requestId, event.data);
      if (event.type === EventTypes.xcSharedAudienceMembersChanged) {
        events++;
        ids += event.data.added.length + event.data.removed.length;
      }
    },
  });
  await waitFor('outcome watcher joined', async () => (await consumer.describeGroup()).state === 'Stable', { timeoutMs: 30_000 });
  return { completed, membersChanged: () => ({ events, ids }), stop: () => consumer.disconnect() };
}

/** Peak resident memory of a process, from /proc. */
function rssSampler(pid: number): { stop(): number } {
  let peakKb = 0;
  const sample = () => {
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      /* exited */
    }
  };
  const timer = setInterval(sample, 50);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return Math.round(peakKb / 1024);
    },
  };
}

/** The same diff as one SQL statement over the same rows: a snapshot, the resolved ids, the list. */
async function sqlBaseline(db: Client, kind: 'full' | 'delta'): Promise<Measurement> {
  const schema = `bench_export_${kind}`;
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  await db.query(`CREATE TABLE ${schema}.snapshot (xc_id text PRIMARY KEY, recipient_id text NOT NULL)`);
  await db.query(`CREATE TABLE ${schema}.resolved (xc_id text NOT NULL, recipient_id text NOT NULL)`);
  await db.query(`CREATE TABLE ${schema}.list (recipient_id text PRIMARY KEY)`);
  const half = Math.floor(CHANGED / 2);
  // The list after the change; the snapshot before it (delta) or empty (full); resolved = what the run resolves.
  await db.query(`INSERT INTO ${schema}.list SELECT 'r-' || n FROM generate_series($1::int, $2::int) n`, [kind === 'full' ? 0 : half, MEMBERS + (kind === 'full' ? 0 : half) - 1]);
  if (kind === 'delta') {
    await db.query(`INSERT INTO ${schema}.snapshot SELECT '9' || lpad(n::text, 37, '0'), 'r-' || n FROM generate_series(0, $1::int) n WHERE n % 100 <> 99`, [MEMBERS - 1]);
    await db.query(`INSERT INTO ${schema}.resolved SELECT '9' || lpad(n::text, 37, '0'), 'r-' || n FROM generate_series($1::int, $2::int) n WHERE n % 100 <> 99`, [
      MEMBERS,
      MEMBERS + half - 1,
    ]);
  } else {
    await db.query(`INSERT INTO ${schema}.resolved SELECT '9' || lpad(n::text, 37, '0'), 'r-' || n FROM generate_series(0, $1::int) n WHERE n % 100 <> 99`, [MEMBERS - 1]);
  }
  await db.query(`ANALYZE ${schema}.snapshot; ANALYZE ${schema}.resolved; ANALYZE ${schema}.list`);
  const started = process.hrtime.bigint();
  await db.query(`
    WITH gone AS (
      DELETE FROM ${schema}.snapshot e WHERE NOT EXISTS (SELECT 1 FROM ${schema}.list m WHERE m.recipient_id = e.recipient_id) RETURNING e.xc_id),
    came AS (
      INSERT INTO ${schema}.snapshot SELECT r.xc_id, r.recipient_id FROM ${schema}.resolved r ON CONFLICT DO NOTHING RETURNING xc_id)
    SELECT (SELECT count(*) FROM gone) AS removed, (SELECT count(*) FROM came) AS added`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await db.query(`DROP SCHEMA ${schema} CASCADE`);
  return { name: `one SQL statement: the ${kind === 'full' ? 'full' : '1%'} diff`, count: MEMBERS, unit: 'members', seconds };
}
