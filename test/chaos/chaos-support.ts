/*
 * Shared fixtures of the fault tier (not a spec: jest only runs *.chaos-spec.ts). Everything goes
 * through the real services and Kafka; the only direct Postgres reads are progress probes (which
 * phase a run is in) used to time a fault, never to decide a result.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createEvent, EventTypes, MAX_CHUNK_IDS, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { createKafka, deletePrefixedTopics, ensureTopics } from '@audience-hub/messaging';
import { launchService, restCall, waitFor, type HubServiceName, type KafkaProbe, type ProbedMessage, type RunningService, type Tenant, type TestEnv } from '@audience-hub/testing';

export const MEMBERS = Number(process.env.CHAOS_MEMBERS ?? 100_000);

/** Deterministic, valid ECIDs (38 digits) from a per-test base, so each test owns its ids. */
export function ecids(): (n: number) => string {
  const base = 10n ** 37n + BigInt(Math.floor(Math.random() * 1e9)) * 10n ** 12n;
  return (n: number) => (base + BigInt(n)).toString();
}

/**
 * This spec file's own topics (nested under the run's prefix, so the global teardown deletes them
 * too): a replay from offset 0 replays only this file's traffic, and no other file's events reach
 * the services it starts. Services launched afterwards inherit the prefix from process.env.
 */
export async function ownTopics(env: TestEnv, label: string): Promise<() => Promise<void>> {
  const previous = process.env.KAFKA_TOPIC_PREFIX;
  process.env.KAFKA_TOPIC_PREFIX = `${previous ?? ''}${label}-${randomUUID().slice(0, 6)}.`;
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: `chaos-${label}` });
  // A busy broker may answer metadata before the new partitions have leaders: try again.
  await waitFor('own topics created', async () => (await ensureTopics(kafka, { partitions: 6, replicationFactor: 1 }), true), { timeoutMs: 60_000, intervalMs: 500 });
  return async () => {
    await deletePrefixedTopics(kafka).catch((error) => console.warn(`topic clean-up: ${error}`));
    if (previous === undefined) delete process.env.KAFKA_TOPIC_PREFIX;
    else process.env.KAFKA_TOPIC_PREFIX = previous;
  };
}

/**
 * This file's consumer group for a service (restarts of the service reuse it). Services of the
 * fault tier run with KAFKA_NEW_GROUP_START=earliest on the file's own topics: with `latest`, a
 * partition the group has not committed on yet (say, the changelog records before the first one
 * was applied) is reset to its end after a SIGKILL, and what arrived meanwhile is skipped.
 */
export function groupOf(label: string, service: HubServiceName): string {
  return `test.${process.env.TEST_RUN_ID ?? 'run'}.${label}.${service}`;
}

/**
 * A service's environment in a fault-tier file: the run's test infrastructure, the IMS to trust,
 * the file's own consumer group, starting from the earliest offset (see groupOf), and `extra`.
 */
export function chaosServiceEnv(
  env: TestEnv,
  trustEnv: Record<string, string>,
  label: string,
  service: HubServiceName,
  extra: Record<string, string> = {},
): Record<string, string> {
  return env.serviceEnv(service, { ...trustEnv, KAFKA_CONSUMER_GROUP: groupOf(label, service), KAFKA_NEW_GROUP_START: 'earliest', ...extra });
}

export const event = (type: AnyHubEvent['type'], orgId: string, aggregateId: string, data: unknown): AnyHubEvent =>
  createEvent({ type, source: '/chaos', orgId, aggregateId, data } as never) as AnyHubEvent;

/** Publishes in batches of `size` messages (one producer request each). */
export async function publishAll(probe: KafkaProbe, topic: string, events: AnyHubEvent[], size = 5_000): Promise<void> {
  for (let i = 0; i < events.length; i += size) await probe.publish(topic, events.slice(i, i + size));
}

/** A REST call with the tenant's token (libs/testing's restCall). */
export const call = restCall;

/** Announces the tenant's org to every service (as IMS does on ims.events.v1). */
export async function announceOrg(probe: KafkaProbe, tenant: Tenant): Promise<void> {
  await probe.publish(Topics.imsEvents, [
    event(EventTypes.imsOrgCreated, tenant.orgId, tenant.orgId, { orgId: tenant.orgId, name: 'Chaos org', createdAt: new Date().toISOString() }),
  ]);
}

/** Makes the org known to each service: a REST call with the tenant's token registers it (see the services' READMEs). */
export async function knownTo(tenant: Tenant, services: Array<{ url: string; path: string }>): Promise<void> {
  for (const { url, path } of services) {
    const answer = await call(url, tenant, 'GET', path);
    if (answer.status !== 200) throw new Error(`GET ${url}${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

/**
 * Visitor links for `pairs`: the first `observed` through Campaign's real events, the rest loaded
 * straight into id-reconciliation's table as a fixture (as the import benchmark does: on a loaded
 * 2-core CI machine id-reconciliation applies observation events at a few hundred per second, so
 * teaching it 100,000 that way would take minutes). Then waits until id-reconciliation's own stats
 * count them all. The org must be known to id-reconciliation already.
 */
export async function visitorLinks(
  db: Client,
  probe: KafkaProbe,
  idrec: RunningService,
  tenant: Tenant,
  pairs: Array<{ ecid: string; recipientId: string }>,
  observed = 1_000,
): Promise<void> {
  const rest = pairs.slice(observed);
  const at = new Date().toISOString();
  const sink = db.query(copyFrom(`COPY idrec.visitor_links (org_id, ecid, recipient_id, observed_at) FROM STDIN`));
  const source = Readable.from(
    (function* () {
      for (let i = 0; i < rest.length; i += 10_000)
        yield rest
          .slice(i, i + 10_000)
          .map((p) => `${tenant.orgId}\t${p.ecid}\t${p.recipientId}\t${at}\n`)
          .join('');
    })(),
  );
  await pipeline(source, sink);
  await db.query('ANALYZE idrec.visitor_links');
  // What id-reconciliation would have published for the links copied in: their changelog records.
  await publishAll(
    probe,
    Topics.idrecIdentityLinks,
    rest.map(({ ecid, recipientId }) =>
      createEvent({
        type: EventTypes.idrecIdentityLinked,
        source: '/audience-hub/id-reconciliation',
        orgId: tenant.orgId,
        aggregateId: `visitor/${ecid}`,
        data: { dataSourceId: 'visitor', idType: 'visitor', xcId: ecid, recipientId, observedAt: at },
      }),
    ),
  );
  await observeVisitors(probe, idrec, tenant, pairs.slice(0, observed), pairs.length);
}

/** Waits until the replicas of the identity graph in these schemas hold at least `count` links of the tenant's org. */
export async function replicasHold(db: Client, tenant: Tenant, schemas: string[], count: number, timeoutMs = 120_000): Promise<void> {
  for (const schema of schemas) {
    await waitFor(
      `${count} links in ${schema}'s replica`,
      async () => Number((await db.query(`SELECT count(*) AS n FROM ${schema}.identity_links WHERE org_id = $1`, [tenant.orgId])).rows[0].n) >= count,
      { timeoutMs, intervalMs: 250 },
    );
  }
}

/**
 * Teaches id-reconciliation visitor links as Campaign does (campaign.visitor.observed events), then
 * waits until its own stats count them all.
 */
export async function observeVisitors(
  probe: KafkaProbe,
  idrec: RunningService,
  tenant: Tenant,
  pairs: Array<{ ecid: string; recipientId: string }>,
  total = pairs.length,
): Promise<void> {
  const observedAt = new Date().toISOString();
  await publishAll(
    probe,
    Topics.campaignVisitorObservations,
    pairs.map(({ ecid, recipientId }) => event(EventTypes.campaignVisitorObserved, tenant.orgId, recipientId, { recipientId, ecid, observedAt, channel: 'web' })),
  );
  await waitFor(
    `id-reconciliation knows ${pairs.length} visitor links`,
    async () => (await call(idrec.url, tenant, 'GET', '/v1/data-sources/visitor/stats')).body?.recipientsWithVisitorLink >= total,
    { timeoutMs: 180_000, intervalMs: 250 },
  );
}

/** An imported list's members through `GET /v1/lists/{listId}/members`, every page. */
export async function importedMembers(importer: RunningService, tenant: Tenant, listId: string): Promise<string[]> {
  const all: string[] = [];
  let cursor = '';
  for (;;) {
    const { status, body } = await call<{ items: Array<{ recipientId: string }>; nextCursor: string | null }>(
      importer.url,
      tenant,
      'GET',
      `/v1/lists/${listId}/members?limit=1000&cursor=${cursor}`,
    );
    if (status !== 200) throw new Error(`members of ${listId}: ${status} ${JSON.stringify(body)}`);
    all.push(...body.items.map((item) => item.recipientId));
    if (!body.nextCursor) return all;
    cursor = body.nextCursor;
  }
}

/** A full snapshot of `ids` as xc.audience.members chunks of at most 10,000 ids. */
export function snapshotChunks(orgId: string, audienceId: string, snapshotId: string, ids: string[]): AnyHubEvent[] {
  const parts = Math.ceil(ids.length / MAX_CHUNK_IDS);
  return Array.from({ length: parts }, (_, part) =>
    event(EventTypes.xcAudienceMembers, orgId, audienceId, {
      audienceId,
      snapshotId,
      mode: 'full',
      idType: 'visitor',
      part,
      lastPart: part === parts - 1,
      added: ids.slice(part * MAX_CHUNK_IDS, (part + 1) * MAX_CHUNK_IDS),
      removed: [],
    }),
  );
}

/** Catalogues an XC audience (as XC does) and creates a `full` import of it into a new list. */
export async function createImport(probe: KafkaProbe, importer: RunningService, tenant: Tenant, audienceId: string): Promise<{ importId: string; listId: string }> {
  await probe.publish(Topics.xcAudiences, [
    event(EventTypes.xcAudiencePublished, tenant.orgId, audienceId, { audienceId, name: `Segment ${audienceId}`, solution: 'audience-manager', labels: [] }),
  ]);
  await waitFor('audience catalogued', async () => (await call(importer.url, tenant, 'GET', `/v1/xc-audiences/${audienceId}`)).status === 200);
  const created = await call(importer.url, tenant, 'POST', '/v1/imports', { audienceId, listLabel: `Chaos ${audienceId}`, dataSourceId: 'visitor', mode: 'full' });
  if (created.status !== 202) throw new Error(`import refused: ${created.status} ${JSON.stringify(created.body)}`);
  return { importId: created.body.id, listId: created.body.listId };
}

/**
 * Net membership from a sequence of members-changed events, after folding redelivered copies of one
 * event id (delivery is at-least-once; a copy must be byte-identical). No other de-duplication: a
 * recipient added by two distinct events counts twice, and `twice` lists it.
 */
export function netMembership(messages: ProbedMessage[]): { net: Map<string, number>; events: number; copies: number; twice: string[]; parts: number[] } {
  const byId = new Map<string, ProbedMessage>();
  let copies = 0;
  for (const message of messages) {
    const seen = byId.get(message.json.id);
    if (seen) {
      copies++;
      if (seen.value !== message.value) throw new Error(`event ${message.json.id} delivered twice with different content`);
      continue;
    }
    byId.set(message.json.id, message);
  }
  const net = new Map<string, number>();
  for (const message of byId.values()) {
    for (const id of message.json.data.added) net.set(id, (net.get(id) ?? 0) + 1);
    for (const id of message.json.data.removed) net.set(id, (net.get(id) ?? 0) - 1);
  }
  const twice = [...net].filter(([, n]) => n > 1).map(([id]) => id);
  const parts = [...byId.values()].map((m) => m.json.data.part as number).sort((a, b) => a - b);
  return { net, events: byId.size, copies, twice, parts };
}

/**
 * Waits until a members-changed stream is complete (one last part, every part before it) and folds
 * it; `messages` is read again at each poll.
 */
export function everyChunk(description: string, messages: () => ProbedMessage[], timeoutMs = 60_000): Promise<ReturnType<typeof netMembership>> {
  return waitFor(
    description,
    () => {
      const last = messages().find((m) => m.json.data.lastPart);
      const folded = netMembership(messages());
      return last && folded.parts.length === last.json.data.part + 1 ? folded : undefined;
    },
    { timeoutMs },
  );
}

/**
 * What a consumer of a members-changed stream checks: parts 0..last once each, a single last
 * part, and every expected id added exactly once (none twice, none missing, none extra).
 */
export function expectExactlyOnce(stream: ReturnType<typeof netMembership>, messages: ProbedMessage[], expected: string[]): void {
  expect(new Set(messages.filter((m) => m.json.data.lastPart).map((m) => m.json.id)).size).toBe(1);
  expect(stream.parts).toEqual(Array.from({ length: stream.events }, (_, i) => i));
  expect(stream.twice).toEqual([]);
  expect([...stream.net].filter(([, n]) => n !== 1)).toEqual([]);
  expect([...stream.net.keys()].sort()).toEqual([...expected].sort());
}

/**
 * The oldest transaction of `role` (a service's database role) in flight for at least `minMs`,
 * holding a lock on the table `holding` when given: a step being applied, seen from outside.
 */
export async function transactionInFlight(
  db: Client,
  role: string,
  { minMs = 150, holding }: { minMs?: number; holding?: string } = {},
): Promise<{ ms: number; statement: string } | undefined> {
  const { rows } = await db.query(
    `SELECT round(extract(epoch FROM now() - a.xact_start) * 1000)::int AS ms, left(a.query, 60) AS statement FROM pg_stat_activity a
      WHERE a.datname = current_database() AND a.usename = $1 AND a.state <> 'idle'
        AND a.xact_start < now() - $2 * interval '1 millisecond'
        AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.relation = to_regclass($3)))
      ORDER BY a.xact_start LIMIT 1`,
    [role, minMs, holding ?? null],
  );
  return rows[0];
}

/** A Campaign list with `recipientIds`, as Campaign publishes it (created, then members in chunks of at most 10,000). */
export async function publishList(probe: KafkaProbe, tenant: Tenant, listId: string, recipientIds: string[]): Promise<void> {
  const added = [];
  for (let i = 0; i < recipientIds.length; i += MAX_CHUNK_IDS) {
    added.push(event(EventTypes.campaignListMembersAdded, tenant.orgId, listId, { listId, recipientIds: recipientIds.slice(i, i + MAX_CHUNK_IDS) }));
  }
  await publishAll(probe, Topics.campaignLists, [event(EventTypes.campaignListCreated, tenant.orgId, listId, { listId, label: `Chaos ${listId}` }), ...added]);
}

/** Launches a service and returns a handle that relaunches it with the same environment. */
export class Restartable {
  service!: RunningService;
  private constructor(
    readonly name: HubServiceName,
    private readonly env: Record<string, string>,
  ) {}

  static async start(name: HubServiceName, env: Record<string, string>): Promise<Restartable> {
    const handle = new Restartable(name, env);
    handle.service = await launchService(name, env, { readyTimeoutMs: 120_000 });
    return handle;
  }

  get url(): string {
    return this.service.url;
  }

  async kill(): Promise<void> {
    await this.service.stop('SIGKILL');
  }

  /** Same port, database, consumer group and settings as before. */
  async restart(): Promise<number> {
    const started = Date.now();
    this.service = await launchService(this.name, { ...this.env, PORT: String(this.service.port) }, { readyTimeoutMs: 120_000 });
    return Date.now() - started;
  }

  async stop(): Promise<void> {
    await this.service?.stop();
  }
}

export const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;
