import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EventTypes, Topics } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, REPO_ROOT, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';
import { Client } from 'pg';
import {
  announceOrg,
  call,
  createImport,
  ecids,
  importedMembers,
  knownTo,
  MEMBERS,
  ownTopics,
  publishAll,
  seconds,
  snapshotChunks,
  replicasHold,
  visitorLinks,
  chaosServiceEnv,
} from './chaos-support';

const env = testEnv();
const LABEL = 'kafka-restart';

/**
 * Only when asked (CI_KAFKA_RESTARTABLE=true: `.ci/run` sets it for the broker it starts), and only
 * when the broker the tests run on is the one `infra/kafka.sh` manages with this environment
 * (KAFKA_PORT, AUDIENCE_HUB_STATE), may the test restart it, through the same script. A pid file
 * alone is no permission: a developer's shared broker has one too, and other runs use it.
 */
function restartableBroker(): { ok: true } | { ok: false; why: string } {
  const state = process.env.AUDIENCE_HUB_STATE ?? join(REPO_ROOT, '.infra');
  const pidFile = join(state, 'kafka', 'broker.pid');
  const port = process.env.KAFKA_PORT ?? '9092';
  if (process.env.CI_KAFKA_RESTARTABLE !== 'true') return { ok: false, why: 'CI_KAFKA_RESTARTABLE is not "true"' };
  if (!existsSync(pidFile)) return { ok: false, why: `no broker started by infra/kafka.sh in ${state} (${pidFile} missing)` };
  if (env.kafkaBrokers.length !== 1 || !env.kafkaBrokers[0].endsWith(`:${port}`)) {
    return { ok: false, why: `the tests use ${env.kafkaBrokers.join(',')}, not the broker infra/kafka.sh manages on port ${port}` };
  }
  return { ok: true };
}
const broker = restartableBroker();
const kafkaSh = (command: 'stop' | 'start') =>
  execFileSync('bash', ['infra/kafka.sh', command], { cwd: REPO_ROOT, env: process.env, stdio: 'pipe', timeout: 120_000 }).toString().trim();
if (!broker.ok) {
  const why = `[kafka-restart] SKIPPED: will not restart the broker (${broker.why}). Run it on a private broker: KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 AUDIENCE_HUB_STATE=/tmp/chaos-kafka bash infra/kafka.sh start, then KAFKA_BROKERS=127.0.0.1:19092 with the same KAFKA_PORT, KAFKA_CONTROLLER_PORT, AUDIENCE_HUB_STATE and CI_KAFKA_RESTARTABLE=true.`;
  // In CI (.ci/run sets CI_KAFKA_RESTARTABLE=true) a skip means the set-up is wrong: fail instead.
  if (process.env.CI_KAFKA_RESTARTABLE === 'true') throw new Error(why.replace('SKIPPED', 'CANNOT RUN'));
  console.warn(why);
}

/** The Kafka broker restarted during a 100,000-member import: the import completes, exactly right. */
(broker.ok ? describe : describe.skip)('Kafka broker restarted during an import', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  let dropTopics: () => Promise<void>;
  let ims: ImsTestClient;
  let idrec: RunningService;
  let importer: RunningService;
  let tenant: Tenant;

  beforeAll(async () => {
    dropTopics = await ownTopics(env, LABEL);
    await db.connect();
    ims = await ImsTestClient.start(env);
    [idrec, importer] = await Promise.all([
      launchService('id-reconciliation', chaosServiceEnv(env, ims.trustEnv, LABEL, 'id-reconciliation')),
      launchService('audience-import', chaosServiceEnv(env, ims.trustEnv, LABEL, 'audience-import')),
    ]);
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'identities.read']);
    await probe.listen([Topics.campaignImports]);
    await announceOrg(probe, tenant);
    await knownTo(tenant, [
      { url: idrec.url, path: '/v1/data-sources' },
      { url: importer.url, path: '/v1/imports' },
    ]);
  });

  afterAll(async () => {
    await Promise.all([importer?.stop(), idrec?.stop()]);
    await ims?.stop();
    await probe.close();
    await db.end();
    await dropTopics?.();
  });

  it('completes the import correctly after the broker restarts mid-way', async () => {
    const t0 = Date.now();
    const ecid = ecids();
    const pairs = Array.from({ length: MEMBERS }, (_, n) => ({ ecid: ecid(n), recipientId: `rcp-${n}` }));
    await visitorLinks(db, probe, idrec, tenant, pairs);
    await replicasHold(db, tenant, ['audience_import'], MEMBERS);
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    const { importId, listId } = await createImport(probe, importer, tenant, audienceId);
    const chunks = snapshotChunks(
      tenant.orgId,
      audienceId,
      'chaos-kafka',
      pairs.map((p) => p.ecid),
    );
    await publishAll(probe, Topics.xcAudiences, chunks.slice(0, 5), 1);
    await waitFor(
      '20% of the chunks recorded',
      async () => {
        const { rows } = await db.query(`SELECT parts_received FROM audience_import.runs WHERE import_id = $1`, [importId]);
        return rows[0]?.parts_received >= 2;
      },
      { intervalMs: 20 },
    );

    const down = Date.now();
    console.log(`[kafka-restart] ${kafkaSh('stop')}`);
    console.log(`[kafka-restart] ${kafkaSh('start')} (down ${seconds(down)})`);
    await waitFor('ready again', async () => (await fetch(`${importer.url}/health/ready`)).status === 200 && (await fetch(`${idrec.url}/health/ready`)).status === 200, {
      timeoutMs: 120_000,
    });
    await publishAll(probe, Topics.xcAudiences, chunks.slice(5), 1);

    const [outcome] = await probe.waitFor('import completed', (m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === importId, 1, 180_000);
    expect(outcome.json.data.counts).toMatchObject({ received: MEMBERS, matched: MEMBERS, pending: 0, added: MEMBERS, removed: 0 });
    expect((await call(importer.url, tenant, 'GET', `/v1/imports/${importId}`)).body).toMatchObject({ state: 'completed', snapshots: 1 });
    expect(await importedMembers(importer, tenant, listId)).toEqual(pairs.map((p) => p.recipientId).sort());
    expect(importer.process.exitCode).toBeNull();
    expect(idrec.process.exitCode).toBeNull();
    console.log(`[kafka-restart] done in ${seconds(t0)}`);
  });
});
