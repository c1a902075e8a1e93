import { Client } from 'pg';
import { createEvent, EventTypes, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, type RunningService } from '@audience-hub/testing';
import { DefaultPartitioner } from '@audience-hub/messaging';
import { cpuSeconds, cpuSpent, machineCpu } from './process-usage';
import { groupStable, report, type BenchEnv, type Measurement } from './bench-env';
import { asTestEnv, createFullImport, loadVisitorLinks, orgKnown, snapshotChunks } from './import.bench';

const MEMBERS = Number(process.env.BENCH_IMPORT_SCALE_OUT_MEMBERS ?? 200_000);
/** The contract's topics have 6 partitions (see ensureTopics): one audience per partition of xc.audiences.v1. */
const PARTITIONS = 6;

/**
 * Scale-out of imports: MEMBERS members as PARTITIONS concurrent full imports (one audience on each
 * partition of xc.audiences.v1, so every instance of a group has its share), through two
 * audience-import and two id-reconciliation instances (each service's two in one consumer group),
 * beside one instance of each, in the same run. The clock starts once every group is Stable with
 * its members and the imports exist, and stops when Campaign has heard every campaign.import.completed.
 */
export async function importScaleOut(env: BenchEnv): Promise<Record<string, unknown>> {
  const admin = new Client({ connectionString: env.databaseUrl });
  await admin.connect();
  const probe = new KafkaProbe(env.kafkaBrokers);
  const ims = await ImsTestClient.start(asTestEnv(env));
  try {
    const tenant = await ims.tenant(['audiences.read', 'audiences.write']);
    await probe.listen([Topics.campaignImports]);
    let prepared = false;
    const perAudience = Math.ceil(MEMBERS / PARTITIONS);

    const usage: Record<string, string> = {};
    const run = async (instances: number, round: number): Promise<Measurement> => {
      const launcher = asTestEnv(env); // consumer groups of this round only
      const running: RunningService[] = [];
      try {
        for (let i = 0; i < instances; i++) {
          running.push(
            ...(await Promise.all([
              launchService('id-reconciliation', launcher.serviceEnv('id-reconciliation', { ...ims.trustEnv, KAFKA_CLIENT_ID: `bench-idrec-${i}` })),
              launchService('audience-import', launcher.serviceEnv('audience-import', { ...ims.trustEnv, KAFKA_CLIENT_ID: `bench-import-${i}` })),
            ])),
          );
        }
        const importer = running.find((service) => service.name === 'audience-import')!;
        if (!prepared) {
          await probe.publish(Topics.imsEvents, [
            createEvent({
              type: EventTypes.imsOrgCreated,
              source: '/bench',
              orgId: tenant.orgId,
              aggregateId: tenant.orgId,
              data: { orgId: tenant.orgId, name: 'Bench', createdAt: new Date().toISOString() },
            }),
          ]);
          await orgKnown(admin, tenant.orgId);
          await loadVisitorLinks(admin, tenant.orgId, perAudience * PARTITIONS);
          prepared = true;
        }
        for (const service of ['id-reconciliation', 'audience-import'] as const) await groupStable(env, launcher.serviceEnv(service).KAFKA_CONSUMER_GROUP, instances);
        const audiences = onePerPartition(tenant.orgId, `${7 + round}`);
        const imports = new Set<string>();
        for (const audienceId of audiences) imports.add(await createFullImport(probe, importer, tenant, audienceId));
        const chunks = audiences.map((audienceId, k) => snapshotChunks(tenant.orgId, audienceId, k * perAudience, perAudience));

        const cpuBefore = cpuSeconds(running);
        const machine = machineCpu();
        const started = process.hrtime.bigint();
        // XC publishes the six snapshots side by side, chunk by chunk.
        for (let part = 0; part < chunks[0].length; part++)
          await probe.publish(
            Topics.xcAudiences,
            chunks.map((snapshot) => snapshot[part]),
          );
        const done = await probe.waitFor(
          'every import completed',
          (m) => m.json?.type === EventTypes.campaignImportCompleted && imports.has(m.json.data.importId),
          imports.size,
          600_000,
        );
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        usage[`machine busy, ${instances} instance(s) per group`] = machine.busyShare();
        usage[`CPU by process, ${instances} instance(s) per group`] = cpuSpent(
          running,
          cpuBefore,
          running.map((service, i) => `${service.name}#${Math.floor(i / 2)}`),
        );
        const added = new Map(done.map((m) => [m.json.data.importId as string, m.json.data.counts.added as number]));
        const total = [...added.values()].reduce((sum, n) => sum + n, 0);
        if (added.size !== imports.size || total !== perAudience * PARTITIONS)
          throw new Error(`imports added ${total} members in ${added.size} imports, expected ${perAudience * PARTITIONS} in ${imports.size}`);
        return { name: `${instances} import + ${instances} idrec instance${instances > 1 ? 's' : ''} per group`, count: total, unit: 'members', seconds };
      } finally {
        await Promise.all(running.map((service) => service.stop()));
      }
    };

    const one = await run(1, 0);
    const two = await run(2, 1);
    return report(`scale-out: ${(perAudience * PARTITIONS).toLocaleString('en-US')} members in ${PARTITIONS} concurrent imports, two instances vs one (members/s)`, two, one, {
      ...usage,
      note: 'every instance, Postgres, Kafka and the load generator share the machine: the ratio is bounded by its cores, not the partitioning',
    });
  } finally {
    await ims.stop();
    await probe.close();
    await admin.end();
  }
}

/** Audience ids whose events land one on each partition of xc.audiences.v1 (the producer's own partitioner on "<org>:<audience>"). */
function onePerPartition(orgId: string, prefix: string): string[] {
  const partitioner = DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0] }));
  const byPartition = new Map<number, string>();
  for (let n = 0; byPartition.size < PARTITIONS; n++) {
    const audienceId = `${prefix}${String(n).padStart(5, '0')}`;
    const key = (createEvent({ type: EventTypes.xcAudienceWithdrawn, source: '/bench', orgId, aggregateId: audienceId, data: { audienceId } } as never) as AnyHubEvent)
      .partitionkey;
    const partition = partitioner({ topic: Topics.xcAudiences, partitionMetadata, message: { key, value: null } });
    if (!byPartition.has(partition)) byPartition.set(partition, audienceId);
  }
  return [...byPartition.values()];
}
