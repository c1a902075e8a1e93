import { createEvent, EventTypes, Topics, type AnyHubEvent, type Topic } from '@audience-hub/contracts';
import { createKafka, physicalTopic } from '@audience-hub/messaging';
import { ImsTestClient, KafkaProbe, launchService, newEcid, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/** A seeded shuffle: the same interleaving on every run, one nobody would write by hand. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Campaign's events applied per batch, whatever their interleaving: recipients on different
 * partitions racing for the same ECIDs and the same declared ids, redelivered events, several
 * batches. Only end states are asserted: the graph, and the changelog's latest record per key.
 */
describe('id-reconciliation ingestion under interleavings', () => {
  let ims: ImsTestClient;
  let idrec: RunningService;
  let tenant: Tenant;
  let group: string;
  const probe = new KafkaProbe(env.kafkaBrokers);
  const recipients = Array.from({ length: 12 }, (_, i) => `race-r${i}`);

  const campaign = <T extends AnyHubEvent['type']>(type: T, aggregateId: string, data: Extract<AnyHubEvent, { type: T }>['data']) =>
    createEvent({ type, source: '/campaign', orgId: tenant.orgId, aggregateId, data } as never) as AnyHubEvent;

  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${idrec.url}${path}`, {
      method,
      headers: { ...tenant.auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** The changelog's latest value per key of this org (a key's records share a partition). */
  function changelog(): Map<string, { recipientId: string } | null> {
    const latest = new Map<string, { recipientId: string } | null>();
    const records = probe.received.filter((m) => m.topic === Topics.idrecIdentityLinks && m.key?.startsWith(`${tenant.orgId}:`));
    records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    for (const record of records) latest.set(record.key!, record.value === null ? null : { recipientId: record.json.data.recipientId });
    return latest;
  }

  /** Whether id-reconciliation's group has committed the end of every partition of `topic`: everything sent was applied. */
  async function caughtUp(topic: Topic): Promise<boolean> {
    const admin = createKafka({ brokers: env.kafkaBrokers, clientId: 'test-lag' }).admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(physicalTopic(topic));
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [physicalTopic(topic)] });
      return ends.every(({ partition, high }) => committed.partitions.find((p) => p.partition === partition)?.offset === high || high === '0');
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    ims = await ImsTestClient.start(env);
    const serviceEnv = env.serviceEnv('id-reconciliation', ims.trustEnv);
    group = serviceEnv.KAFKA_CONSUMER_GROUP;
    idrec = await launchService('id-reconciliation', serviceEnv);
    tenant = await ims.tenant(['identities.read', 'identities.write']);
    await probe.listen([Topics.idrecIdentityLinks, Topics.hubDeadLetter]);
    const created = await api('POST', '/v1/data-sources', {
      id: 'crm',
      name: 'CRM e-mail',
      idType: 'declared',
      integrationCode: 'CRM_EMAIL',
      reconciliationKey: { attribute: 'email', normalization: ['trim', 'lowercase'] },
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await probe.close();
    await idrec?.stop();
    await ims?.stop();
  });

  it('leaves each ECID with its most recent observation, from recipients on every partition, redelivered and reordered', async () => {
    const ecids = Array.from({ length: 6 }, () => newEcid());
    const observations = ecids.flatMap((ecid, e) =>
      Array.from({ length: 30 }, (_, k) => {
        const recipientId = recipients[(e * 7 + k * 5) % recipients.length];
        const observedAt = new Date(Date.UTC(2026, 10, 1, 0, 0, (k * 37 + e * 11) % 600)).toISOString();
        return campaign(EventTypes.campaignVisitorObserved, recipientId, { recipientId, ecid, observedAt, channel: 'web' });
      }),
    );
    const expected = new Map<string, string>();
    for (const ecid of ecids) {
      const newest = observations
        .map((event) => event.data as { ecid: string; recipientId: string; observedAt: string })
        .filter((data) => data.ecid === ecid)
        .reduce((a, b) => (b.observedAt > a.observedAt ? b : a));
      expected.set(ecid, newest.recipientId);
    }
    // Several sends (several batches), in a shuffled order, a fifth of them sent twice.
    const sent = shuffled([...observations, ...observations.filter((_, i) => i % 5 === 0)], 20261206);
    for (let i = 0; i < sent.length; i += 37) await probe.publish(Topics.campaignVisitorObservations, sent.slice(i, i + 37));

    await waitFor('every observation applied', () => caughtUp(Topics.campaignVisitorObservations), { timeoutMs: 60_000 });
    await waitFor('every ECID with its most recent observation, in the graph and on the changelog', async () => {
      const resolved = await api('POST', '/v1/resolve', { dataSourceId: 'visitor', direction: 'to-recipients', ids: ecids });
      const graph = new Map(resolved.body.matched.map((m: { id: string; recipientId: string }) => [m.id, m.recipientId]));
      const log = changelog();
      return ecids.every((ecid) => graph.get(ecid) === expected.get(ecid) && log.get(`${tenant.orgId}:visitor/${ecid}`)?.recipientId === expected.get(ecid));
    });
  });

  it('gives each declared id to one recipient holding that value, and the changelog agrees, whatever order the upserts race in', async () => {
    const emails = ['Ann@Example.com', ' ann@example.com', 'bob@example.com', 'cy@example.com', null];
    const upserts = shuffled(
      recipients.flatMap((recipientId, r) =>
        Array.from({ length: 8 }, (_, k) =>
          campaign(EventTypes.campaignRecipientUpserted, recipientId, { recipientId, attributes: { email: emails[(r + k * 3) % emails.length], seq: k } }),
        ),
      ),
      42,
    );
    // Per recipient its events keep their order (one partition), so its final e-mail is known.
    const finalEmail = new Map<string, string | null>();
    for (const event of upserts) {
      const { recipientId, attributes } = event.data as { recipientId: string; attributes: { email: string | null } };
      finalEmail.set(recipientId, attributes.email);
    }
    for (let i = 0; i < upserts.length; i += 23) await probe.publish(Topics.campaignRecipients, upserts.slice(i, i + 23));

    await waitFor('every upsert applied', () => caughtUp(Topics.campaignRecipients), { timeoutMs: 60_000 });
    await waitFor('the graph is consistent and the changelog agrees', async () => {
      const identities = await Promise.all(recipients.map((id) => api('GET', `/v1/recipients/${id}/identities`)));
      if (identities.some((answer) => answer.status !== 200)) return false;
      const owners = new Map<string, string[]>();
      for (const { body } of identities) {
        for (const declared of body.declaredIds as Array<{ dataSourceId: string; id: string }>) {
          // A recipient holds only the value its attributes have now.
          if (declared.id !== finalEmail.get(body.recipientId)?.trim().toLowerCase()) return false;
          owners.set(declared.id, [...(owners.get(declared.id) ?? []), body.recipientId]);
        }
      }
      const values = new Set([...finalEmail.values()].filter((email): email is string => email !== null).map((email) => email.trim().toLowerCase()));
      // Each value has at most one owner (one whose e-mail it still is: a recipient whose id was
      // taken gets it back only with its next upsert), and the changelog says which, or none.
      const log = changelog();
      return [...values].every((value) => {
        const holders = owners.get(value) ?? [];
        const logged = log.get(`${tenant.orgId}:crm/${value}`);
        return holders.length <= 1 && (holders.length === 1 ? logged?.recipientId === holders[0] : !logged);
      });
    });
    expect(probe.received.filter((m) => m.topic === Topics.hubDeadLetter && m.json?.orgid === tenant.orgId)).toEqual([]);
  });
});
