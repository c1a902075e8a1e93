import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { createEvent, EventTypes, topicOfEventType, type AnyHubEvent } from '@audience-hub/contracts';
import { newOrgId, testEnv, waitFor } from '@audience-hub/testing';
import { createIdempotentProducer, createKafka, enqueueEvents, enqueueTombstones, outboxChannel, OutboxRelay, physicalTopic, sendToTopics } from '@audience-hub/messaging';
import { openMessagingSchema } from './messaging-schema';

const env = testEnv();
let dataSource: DataSource;

beforeAll(async () => {
  dataSource = await openMessagingSchema('relay');
});

afterAll(async () => {
  await dataSource.destroy();
});

/** A producer that records what each send carried (label of each event), in order. */
function recordingProducer(): { producer: Producer; sends: string[][] } {
  const sends: string[][] = [];
  const producer = {
    sendBatch: async ({ topicMessages }: { topicMessages: Array<{ messages: Array<{ value: string }> }> }) => {
      sends.push(topicMessages.flatMap(({ messages }) => messages.map((m) => labelOf(JSON.parse(m.value)))));
      return [];
    },
  } as unknown as Producer;
  return { producer, sends };
}

function labelOf(event: AnyHubEvent): string {
  const data = event.data as { listId: string; label?: string; recipientIds?: string[] };
  return data.label ?? `${data.listId}:${data.recipientIds?.[0]}`;
}

const small = (orgId: string, listId: string, label: string): AnyHubEvent =>
  createEvent({ type: EventTypes.campaignListCreated, source: '/test', orgId, aggregateId: listId, data: { listId, label } });

/** About 150 kB: a chunk of 10,000 members. */
const large = (orgId: string, listId: string, chunk: number): AnyHubEvent =>
  createEvent({
    type: EventTypes.campaignListMembersAdded,
    source: '/test',
    orgId,
    aggregateId: listId,
    data: { listId, recipientIds: Array.from({ length: 10_000 }, (_, i) => `chunk${chunk}-recipient-${i}`) },
  });

describe('outbox relay', () => {
  it("sends small events ahead of other keys' large ones, a few large ones per round, and each key in commit order", async () => {
    const orgId = newOrgId();
    // One big transaction (a snapshot's list changes, then its outcome), then another list's small change.
    await dataSource.transaction((manager) =>
      enqueueEvents(manager, [large(orgId, 'big', 1), large(orgId, 'big', 2), large(orgId, 'big', 3), small(orgId, 'big', 'big-completed')]),
    );
    await dataSource.transaction((manager) => enqueueEvents(manager, [small(orgId, 'delta', 'delta-completed')]));

    const { producer, sends } = recordingProducer();
    const relay = new OutboxRelay({ dataSource, producer, maxLargeBytes: 200_000 });
    while ((await relay.publishOnce()) > 0) {
      /* every round until the outbox is empty */
    }

    expect(sends).toEqual([
      // The other list's change goes first, then one large event per round (200 kB budget)...
      ['delta-completed'],
      ['big:chunk1-recipient-0'],
      ['big:chunk2-recipient-0'],
      ['big:chunk3-recipient-0'],
      // ...and the big list's small event only after its large ones.
      ['big-completed'],
    ]);
    const [{ unsent }] = await dataSource.query(`SELECT count(*)::int AS unsent FROM outbox_events WHERE sent_at IS NULL`);
    expect(unsent).toBe(0);
  });

  it("sends a batch's bundled events as one record each, in order and with their types, and a bundle waits behind a large event with everything after it", async () => {
    const orgId = newOrgId();
    const batch = Array.from({ length: 200 }, (_, i) => small(orgId, `bundled-${i}`, `bundled ${i}`));
    await dataSource.query(`DELETE FROM outbox_events`);
    await dataSource.transaction((manager) => enqueueEvents(manager, [large(orgId, 'big', 1)]));
    await dataSource.transaction((manager) => enqueueEvents(manager, batch));
    await dataSource.transaction((manager) => enqueueEvents(manager, [small(orgId, 'after', 'after')]));
    expect(await dataSource.query(`SELECT records FROM outbox_events ORDER BY seq`)).toEqual([{ records: null }, { records: 200 }, { records: null }]);

    const sends: Array<Array<{ key: string; type: string; label: string }>> = [];
    const producer = {
      sendBatch: async ({ topicMessages }: { topicMessages: Array<{ messages: Array<{ key: string; value: string; headers: Record<string, string> }> }> }) => {
        sends.push(topicMessages.flatMap(({ messages }) => messages.map((m) => ({ key: m.key, type: String(Object.values(m.headers)[0]), label: labelOf(JSON.parse(m.value)) }))));
        return [];
      },
    } as unknown as Producer;
    const relay = new OutboxRelay({ dataSource, producer, maxLargeBytes: 200_000, deleteSent: true });
    const counts: number[] = [];
    for (let sent = await relay.publishOnce(); sent > 0; sent = await relay.publishOnce()) counts.push(sent);

    // The large event first (the bundle may hold its key), then the bundle's events and the one after it.
    expect(sends.map((send) => send.map(({ label }) => label))).toEqual([['big:chunk1-recipient-0'], [...batch.map((_, i) => `bundled ${i}`), 'after']]);
    expect(sends[1].slice(0, 2)).toEqual([
      { key: batch[0].partitionkey, type: EventTypes.campaignListCreated, label: 'bundled 0' },
      { key: batch[1].partitionkey, type: EventTypes.campaignListCreated, label: 'bundled 1' },
    ]);
    expect(counts).toEqual([1, 201]);
    expect(await dataSource.query(`SELECT seq FROM outbox_events`)).toEqual([]);
  });

  it("cannot be sent by a relay of the previous version: a bundle's row names no topic, and kafkajs refuses that relay's whole send", async () => {
    const orgId = newOrgId();
    await dataSource.query(`DELETE FROM outbox_events`);
    await dataSource.transaction((manager) => enqueueEvents(manager, [small(orgId, 'before', 'before')]));
    await dataSource.transaction((manager) =>
      enqueueEvents(
        manager,
        Array.from({ length: 100 }, (_, i) => small(orgId, `bundled-${i}`, `bundled ${i}`)),
      ),
    );
    const topic = topicOfEventType(EventTypes.campaignListCreated);
    // The previous version's round: each unsent row as one record, to its row's topic.
    const rows: Array<{ topic: string; message_key: string; message_value: string }> = await dataSource.query(
      `SELECT topic, message_key, message_value FROM outbox_events WHERE sent_at IS NULL ORDER BY seq`,
    );
    expect(rows.map((row) => row.topic)).toEqual([topic, `bundle:${topic}`]);

    const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'previous-relay' });
    const producer = createIdempotentProducer(kafka);
    const admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    try {
      const end = async () => (await admin.fetchTopicOffsets(physicalTopic(topic))).reduce((sum, { high }) => sum + Number(high), 0);
      const before = await end();
      await expect(
        sendToTopics(
          producer,
          rows.map((row) => ({ topic: row.topic, message: { key: row.message_key, value: row.message_value } })),
        ),
      ).rejects.toThrow(/invalid topic/);
      // Nothing of the round went out: the row before the bundle waits with it.
      expect(await end()).toBe(before);
    } finally {
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }
  });

  it('lets one relay of two send, and after the leader loses its connection a relay leads again and sends the next commit', async () => {
    const orgId = newOrgId();
    const relays = [recordingProducer(), recordingProducer()].map(({ producer, sends }) => ({ relay: new OutboxRelay({ dataSource, producer, pollIntervalMs: 50 }), sends }));
    relays.forEach(({ relay }) => relay.start());
    try {
      const sent = (label: string) => relays.filter(({ sends }) => sends.flat().includes(label)).length;
      await dataSource.transaction((manager) => enqueueEvents(manager, [small(orgId, 'a', 'before')]));
      await waitFor('the first event sent', () => sent('before') > 0);
      const leader = await waitFor('the leader', leaderPid);

      await dataSource.query(`SELECT pg_terminate_backend($1)`, [leader]);
      await waitFor('a leader on a new connection', async () => ((await leaderPid()) ?? leader) !== leader);
      await dataSource.transaction((manager) => enqueueEvents(manager, [small(orgId, 'a', 'after')]));
      await waitFor('the next event sent', () => sent('after') > 0);

      expect([sent('before'), sent('after')]).toEqual([1, 1]);
    } finally {
      await Promise.all(relays.map(({ relay }) => relay.stop()));
    }
  });

  it('is woken by every commit, whichever way its rows went in (one INSERT, COPY, tombstones), and by one notified while a round that found nothing was in flight', async () => {
    const orgId = newOrgId();
    const keys: string[] = [];
    // Events are keyed `<org>:<list>`; a tombstone by the key it was given.
    const sent = (key: string) => keys.some((sentKey) => sentKey === key || sentKey.endsWith(`:${key}`));
    const producer = {
      sendBatch: async ({ topicMessages }: { topicMessages: Array<{ messages: Array<{ key: string }> }> }) => {
        for (const { messages } of topicMessages) for (const { key } of messages) keys.push(key);
        return [];
      },
    } as unknown as Producer;
    // A listener of our own on the relay's channel: it tells when a commit's notification is out.
    const watcher = new Client({ connectionString: env.databaseUrl });
    await watcher.connect();
    await watcher.query(`LISTEN "${outboxChannel((dataSource.options as { schema: string }).schema)}"`);
    // The relay reads the outbox head through this: the first read that finds nothing is followed,
    // before the relay sees that result, by a commit whose notification has been delivered.
    let raced = false;
    const racing = new Proxy(dataSource, {
      get(target, property) {
        if (property !== 'transaction') return Reflect.get(target, property, target);
        return async (work: (manager: EntityManager) => Promise<unknown>) => {
          const result = await target.transaction(work);
          if (!raced && Array.isArray(result) && result.length === 0) {
            raced = true;
            const notified = new Promise((resolve) => watcher.once('notification', resolve));
            await target.transaction((manager) => enqueueEvents(manager, [small(orgId, 'list-racing', 'racing')]));
            await notified;
            await new Promise((resolve) => setImmediate(resolve));
          }
          return result;
        };
      },
    });
    // Polls far apart: whatever is sent within the test's waits was sent because a commit woke the relay.
    const relay = new OutboxRelay({ dataSource: racing, producer, pollIntervalMs: 10 * 60_000, deleteSent: true });
    await dataSource.transaction((manager) => enqueueEvents(manager, [small(orgId, 'list-first', 'first')]));
    relay.start();
    try {
      // The round made once the relay listens sends the first event; the next finds nothing, meets the racing commit, and must not idle.
      await waitFor('the first event and the one committed while a round was in flight', () => sent('list-first') && sent('list-racing'));
      await dataSource.transaction((manager) => enqueueEvents(manager, [small(orgId, 'list-inserted', 'one insert')]));
      await waitFor('an event written by one INSERT', () => sent('list-inserted'));
      const many = Array.from({ length: 100 }, (_, i) => small(orgId, `list-copied-${i}`, `copied ${i}`));
      await dataSource.transaction((manager) => enqueueEvents(manager, many));
      await waitFor('events written by COPY', () => sent('list-copied-99'));
      await dataSource.transaction((manager) => enqueueTombstones(manager, 'campaign.lists.v1', ['list-erased']));
      await waitFor('a tombstone', () => sent('list-erased'));
    } finally {
      await relay.stop();
      await watcher.end();
    }
  });
});

/** The backend holding this schema's relay lock (the key `pg_try_advisory_lock` split into classid and objid). */
async function leaderPid(): Promise<number | undefined> {
  const schema = (dataSource.options as { schema: string }).schema;
  const [row] = await dataSource.query(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = hashtext($1)::bigint`, [
    `${schema}.outbox-relay`,
  ]);
  return row?.pid;
}
