import { EventTypes, Topics } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';
import { Client } from 'pg';
import {
  announceOrg,
  call,
  createImport,
  ecids,
  groupOf,
  importedMembers,
  knownTo,
  MEMBERS,
  netMembership,
  ownTopics,
  publishAll,
  Restartable,
  seconds,
  snapshotChunks,
  replicasHold,
  visitorLinks,
  chaosServiceEnv,
} from './chaos-support';

const env = testEnv();
const LABEL = 'rebalance';

/**
 * Scale-out: two audience-import instances in one consumer group; the one holding the audience's
 * partition is stopped (SIGTERM) mid-import, the other takes over, then it starts again (another
 * rebalance): the import completes with exactly the right list.
 */
describe('audience-import rebalancing between two instances', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  const group = groupOf(LABEL, 'audience-import');
  let dropTopics: () => Promise<void>;
  let ims: ImsTestClient;
  let idrec: RunningService;
  const importers: Restartable[] = [];
  let tenant: Tenant;

  /** Which instance (by client id) holds `partition` of xc.audiences.v1 now. */
  const holderOf = async (partition: number): Promise<number | undefined> => {
    const { AssignerProtocol } = await import('kafkajs');
    const admin = probe.kafka.admin();
    await admin.connect();
    try {
      const [description] = (await admin.describeGroups([group])).groups;
      if (description.state !== 'Stable') return undefined;
      for (const member of description.members) {
        const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        const topic = Object.entries(assignment?.assignment ?? {}).find(([name]) => name.endsWith(Topics.xcAudiences));
        if (topic && (topic[1] as number[]).includes(partition)) return Number(member.clientId.split('-').pop());
      }
      return undefined;
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    dropTopics = await ownTopics(env, LABEL);
    await db.connect();
    ims = await ImsTestClient.start(env);
    idrec = await launchService('id-reconciliation', chaosServiceEnv(env, ims.trustEnv, LABEL, 'id-reconciliation'));
    for (const n of [0, 1]) {
      importers.push(
        await Restartable.start(
          'audience-import',
          env.serviceEnv('audience-import', { ...ims.trustEnv, KAFKA_CONSUMER_GROUP: group, KAFKA_NEW_GROUP_START: 'earliest', KAFKA_CLIENT_ID: `chaos-import-${n}` }),
        ),
      );
    }
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'identities.read']);
    await probe.listen([Topics.campaignImports]);
    await announceOrg(probe, tenant);
    await knownTo(tenant, [
      { url: idrec.url, path: '/v1/data-sources' },
      { url: importers[0].url, path: '/v1/imports' },
    ]);
  });

  afterAll(async () => {
    await Promise.all([...importers.map((importer) => importer.stop()), idrec?.stop()]);
    await ims?.stop();
    await probe.close();
    await db.end();
    await dropTopics?.();
  });

  it('completes exactly after the partition holder leaves mid-import and comes back', async () => {
    const t0 = Date.now();
    const ecid = ecids();
    const pairs = Array.from({ length: MEMBERS }, (_, n) => ({ ecid: ecid(n), recipientId: `rcp-${n}` }));
    await visitorLinks(db, probe, idrec, tenant, pairs);
    await replicasHold(db, tenant, ['audience_import'], MEMBERS);
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    const { importId, listId } = await createImport(probe, importers[0].service, tenant, audienceId);
    const chunks = snapshotChunks(
      tenant.orgId,
      audienceId,
      'chaos-rebalance',
      pairs.map((p) => p.ecid),
    );

    await publishAll(probe, Topics.xcAudiences, chunks.slice(0, 4), 1);
    await waitFor(
      '20% of the chunks recorded',
      async () => {
        const { rows } = await db.query(`SELECT parts_received FROM audience_import.runs WHERE import_id = $1`, [importId]);
        return rows[0]?.parts_received >= 2;
      },
      { intervalMs: 20 },
    );
    // The audience's partition: where its events went (this file's topics hold only its own traffic).
    const admin = probe.kafka.admin();
    await admin.connect();
    const { physicalTopic } = await import('@audience-hub/messaging');
    const offsets = await admin.fetchTopicOffsets(physicalTopic(Topics.xcAudiences));
    await admin.disconnect();
    const partition = offsets.filter((o) => Number(o.high) > 1).map((o) => o.partition)[0];
    const holder = await waitFor('the partition holder', () => holderOf(partition));
    const survivor = 1 - holder;
    const stoppedAt = Date.now();
    expect(await importers[holder].service.stop('SIGTERM')).toBe(0);
    await publishAll(probe, Topics.xcAudiences, chunks.slice(4, 7), 1);
    await waitFor('the other instance takes the partition', async () => (await holderOf(partition)) === survivor, { timeoutMs: 60_000, intervalMs: 250 });
    console.log(`[rebalance] instance ${holder} stopped, ${survivor} took partition ${partition} in ${seconds(stoppedAt)}`);
    await importers[holder].restart();
    await publishAll(probe, Topics.xcAudiences, chunks.slice(7), 1);

    const [outcome] = await probe.waitFor('import completed', (m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === importId, 1, 120_000);
    expect(outcome.json.data.counts).toMatchObject({ received: MEMBERS, matched: MEMBERS, pending: 0, added: MEMBERS, removed: 0 });
    expect((await call(importers[survivor].url, tenant, 'GET', `/v1/imports/${importId}`)).body).toMatchObject({ state: 'completed', snapshots: 1 });
    const expected = pairs.map((p) => p.recipientId).sort();
    expect(await importedMembers(importers[holder].service, tenant, listId)).toEqual(expected);
    const stream = await waitFor('every members-changed chunk', () => {
      const changes = probe.received.filter((m) => m.json?.type === EventTypes.campaignImportedListMembersChanged && m.json.data.importId === importId);
      const last = changes.find((m) => m.json.data.lastPart);
      const folded = netMembership(changes);
      return last && folded.parts.length === last.json.data.part + 1 ? folded : undefined;
    });
    expect(stream.twice).toEqual([]);
    expect([...stream.net.keys()].sort()).toEqual(expected);
    console.log(`[rebalance] done in ${seconds(t0)}`);
  });
});
