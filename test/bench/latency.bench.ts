import { Client } from 'pg';
import { createEvent, EventTypes, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, type ProbedMessage, type RunningService } from '@audience-hub/testing';
import { asTestEnv, createFullImport, ecid, loadVisitorLinks, orgKnown, snapshotChunks } from './import.bench';
import type { BenchEnv } from './bench-env';

// kafkajs's default partitioner hashes keys with this murmur2 (not exported by its index).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const murmur2: (key: string) => number = require('kafkajs/src/producer/partitioners/default/murmur2');

const MEMBERS = Number(process.env.BENCH_LATENCY_MEMBERS ?? process.env.BENCH_IMPORT_MEMBERS ?? 1_000_000);
/** One-member deltas sent on the idle stack (the baseline). */
const IDLE_DELTAS = Number(process.env.BENCH_LATENCY_IDLE_DELTAS ?? 100);
/** A delta is sent every this many ms (open loop: a slow answer does not slow the sender). */
const INTERVAL_MS = Number(process.env.BENCH_LATENCY_INTERVAL_MS ?? 50);
/** Partitions of the bench topics (bench-env.ts creates 6). */
const PARTITIONS = 6;
const TARGET_P99_MS = 250;

/**
 * Fairness: XC's one-member deltas of small audiences, XC event to the Campaign event it causes
 * (campaign.import.completed of the small audience's import), while a MEMBERS-member snapshot of
 * another audience imports on the same stack (IMS, id-reconciliation and audience-import as
 * processes). Baseline: the same deltas on the idle stack, same run. The small audiences are one
 * per partition: one shares the snapshot's partition (head-of-line within a partition), the others
 * do not (head-of-line across partitions); deltas go to each in turn, so one audience gets a delta
 * every PARTITIONS x INTERVAL_MS (its own deltas are applied in order, one transaction after another).
 */
export async function latencyBench(env: BenchEnv): Promise<Record<string, unknown>> {
  const testEnv = asTestEnv(env);
  const admin = new Client({ connectionString: env.databaseUrl });
  await admin.connect();
  const probe = new KafkaProbe(env.kafkaBrokers);
  const ims = await ImsTestClient.start(testEnv);
  const services: RunningService[] = [];
  try {
    // Both started at once; if one fails to start, the other is stopped too (a leftover instance
    // would rejoin the next run's database of the same name and take its outbox relay).
    const launched = await Promise.allSettled([
      launchService('id-reconciliation', testEnv.serviceEnv('id-reconciliation', { ...ims.trustEnv })),
      launchService('audience-import', testEnv.serviceEnv('audience-import', { ...ims.trustEnv })),
    ]);
    for (const outcome of launched) if (outcome.status === 'fulfilled') services.push(outcome.value);
    const failed = launched.find((outcome) => outcome.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const importer = services[1];
    const tenant = await ims.tenant(['audiences.read', 'audiences.write']);
    const orgId = tenant.orgId;
    await probe.publish(Topics.imsEvents, [
      createEvent({ type: EventTypes.imsOrgCreated, source: '/bench', orgId, aggregateId: orgId, data: { orgId, name: 'Bench', createdAt: new Date().toISOString() } }),
    ]);
    await orgKnown(admin, orgId);
    await loadVisitorLinks(admin, orgId, MEMBERS);
    await probe.listen([Topics.campaignImports], { types: [EventTypes.campaignImportCompleted] });

    const big = '920000';
    const bigPartition = partitionOf(`${orgId}:${big}`);
    const bigImport = await createFullImport(probe, importer, tenant, big);
    const small: Array<{ audienceId: string; sameAsSnapshot: boolean; importId: string; sent: Sent[] }> = [];
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const audienceId = audienceWhere(orgId, 920001, (p) => p === partition);
      small.push({ audienceId, sameAsSnapshot: partition === bigPartition, importId: await createFullImport(probe, importer, tenant, audienceId), sent: [] });
    }
    const completionsOf = (importId: string): ProbedMessage[] =>
      probe.received.filter((m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === importId);

    // Each delta adds one member the snapshot does not hold (a known link); deltas of one audience
    // complete in the order sent (one key, one partition), so the k-th completion answers the k-th delta.
    let next = 0;
    const sendDelta = async (phase: Phase): Promise<void> => {
      const target = small[next % small.length];
      const i = MEMBERS - 1 - next++;
      const event = createEvent({
        type: EventTypes.xcAudienceMembers,
        source: '/bench',
        orgId,
        aggregateId: target.audienceId,
        data: {
          audienceId: target.audienceId,
          snapshotId: `delta-${target.audienceId}-${i}`,
          mode: 'delta',
          idType: 'visitor',
          part: 0,
          lastPart: true,
          added: [ecid(i)],
          removed: [],
        },
      }) as AnyHubEvent;
      const entry: Sent = { phase, at: Date.now() };
      target.sent.push(entry);
      await probe.publish(Topics.xcAudiences, [event]);
    };
    const answered = async () => {
      for (const target of small) {
        await probe.waitFor(
          `${target.sent.length} completions of ${target.audienceId}`,
          (m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === target.importId,
          target.sent.length,
          120_000,
        );
      }
    };
    /** Sends a delta every INTERVAL_MS until `until` says stop (checked before each send). */
    const sendEvery = async (phase: Phase, until: () => boolean) => {
      let due = Date.now();
      while (!until()) {
        await sendDelta(phase);
        due += INTERVAL_MS;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      }
    };

    // Warm-up (not counted): the first delta of each import creates its list.
    for (let k = 0; k < small.length; k++) await sendDelta('warm-up');
    await answered();

    // Baseline: the idle stack.
    let idleSent = 0;
    await sendEvery('idle', () => idleSent++ >= IDLE_DELTAS);
    await answered();

    // Under load: the big snapshot's chunks published at once, deltas sent until it completed.
    const chunks = snapshotChunks(orgId, big, 0, MEMBERS);
    const loadStart = Date.now();
    let bigDone = false;
    const bigCompleted = probe
      .waitFor('big import completed', (m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === bigImport, 1, 600_000)
      .then(([message]) => {
        bigDone = true;
        return message;
      });
    const publishing = (async () => {
      for (const chunk of chunks) await probe.publish(Topics.xcAudiences, [chunk]);
    })();
    await sendEvery('load', () => bigDone);
    const bigOutcome = await bigCompleted;
    await publishing;
    const bigSeconds = (bigOutcome.receivedAt - loadStart) / 1000;
    await answered();

    const latencies = (phase: Phase, targets = small) =>
      targets.flatMap((target) => {
        const done = completionsOf(target.importId);
        return target.sent.flatMap((sent, k) => (sent.phase === phase ? [done[k].receivedAt - sent.at] : []));
      });
    const idle = stats(latencies('idle'));
    const load = stats(latencies('load'));
    const perCase = {
      "under load, on the snapshot's partition": format(
        stats(
          latencies(
            'load',
            small.filter((target) => target.sameAsSnapshot),
          ),
        ),
      ),
      'under load, on the other partitions': format(
        stats(
          latencies(
            'load',
            small.filter((target) => !target.sameAsSnapshot),
          ),
        ),
      ),
    };

    // Where a delta's time under load goes: to its transaction's start (Kafka, the consumer's
    // queue), to its Campaign event's publication by the outbox relay, and on to Campaign.
    const stages: Record<string, number[]> = { 'to transaction start': [], 'to relayed': [], 'to Campaign': [] };
    for (const target of small) {
      // The relay's send is the Campaign event's producer timestamp (the relay deletes a sent row).
      const done = completionsOf(target.importId);
      const { rows: runs } = await admin.query<{ started: Date }>(`SELECT created_at AS started FROM audience_import.runs WHERE import_id = $1 ORDER BY seq`, [target.importId]);
      target.sent.forEach((sent, k) => {
        if (sent.phase !== 'load' || !runs[k] || !done[k]) return;
        stages['to transaction start'].push(runs[k].started.getTime() - sent.at);
        stages['to relayed'].push(done[k].timestamp - sent.at);
        stages['to Campaign'].push(done[k].receivedAt - sent.at);
      });
    }

    const title = `latency: one-member delta of another audience, XC event to Campaign event, while a ${MEMBERS.toLocaleString('en-US')}-member snapshot imports (target p99 <= ${TARGET_P99_MS} ms)`;
    console.log(`\n## ${title}`);
    console.log(`${'under load'.padEnd(44)} ${format(load)}`);
    console.log(`${'idle stack (baseline)'.padEnd(44)} ${format(idle)}`);
    console.log(`${'p99 ratio to baseline'.padEnd(44)} ${(load.p99 / idle.p99).toFixed(2)}x`);
    for (const [key, value] of Object.entries(perCase)) console.log(`${key.padEnd(44)} ${value}`);
    for (const [stage, values] of Object.entries(stages)) console.log(`${`under load, XC event ${stage}`.padEnd(44)} ${format(stats(values))}`);
    console.log(`${`snapshot (partition ${bigPartition}) completed after`.padEnd(44)} ${bigSeconds.toFixed(2)} s`);
    console.log(`${'delta sent every'.padEnd(44)} ${INTERVAL_MS} ms`);
    return { title, load, idle, ratioP99: load.p99 / idle.p99, ...perCase, bigSeconds, intervalMs: INTERVAL_MS, targetP99Ms: TARGET_P99_MS };
  } catch (error) {
    for (const service of services) console.error(`--- ${service.name} output (tail) ---\n${service.output().slice(-4000)}`);
    throw error;
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    await ims.stop();
    await probe.close();
    await admin.end();
  }
}

type Phase = 'warm-up' | 'idle' | 'load';
interface Sent {
  phase: Phase;
  at: number;
}
interface Stats {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

function format(s: Stats): string {
  return `p50 ${s.p50} ms  p95 ${s.p95} ms  p99 ${s.p99} ms  max ${s.max} ms  (${s.count} deltas)`;
}

/** The partition kafkajs's default partitioner gives `key` among the bench topics' partitions. */
function partitionOf(key: string): number {
  return (murmur2(key) & 0x7fffffff) % PARTITIONS;
}

/** The first audience id from `from` on whose key's partition satisfies `wanted`. */
function audienceWhere(orgId: string, from: number, wanted: (partition: number) => boolean): string {
  for (let id = from; ; id++) if (wanted(partitionOf(`${orgId}:${id}`))) return String(id);
}
