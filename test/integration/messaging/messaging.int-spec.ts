import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createEvent, EventTypes, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { KafkaProbe, newId, newOrgId, testEnv, waitFor } from '@audience-hub/testing';
import {
  createIdempotentProducer,
  createKafka,
  DeadLetterPublisher,
  enqueueEvents,
  EventConsumer,
  OutboxRelay,
  RejectEventError,
  type EventHandler,
} from '@audience-hub/messaging';
import { openMessagingSchema } from './messaging-schema';

class EffectsTable1764400000001 implements MigrationInterface {
  name = 'EffectsTable1764400000001';
  async up(runner: QueryRunner): Promise<void> {
    // No key on purpose: an effect applied twice shows up as two rows.
    await runner.query(`CREATE TABLE effects (event_id uuid NOT NULL, org_id text NOT NULL, label text)`);
  }
  async down(): Promise<void> {}
}

const env = testEnv();
let kafka: Kafka;
let producer: Producer;
let dataSource: DataSource;
let probe: KafkaProbe;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'messaging-int' });
  producer = createIdempotentProducer(kafka);
  await producer.connect();
  dataSource = await openMessagingSchema('msg', [EffectsTable1764400000001]);
  probe = new KafkaProbe(env.kafkaBrokers);
  await probe.listen([Topics.campaignLists, Topics.hubDeadLetter, Topics.hubRejections]);
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

afterAll(async () => {
  await probe.close();
  await producer.disconnect();
  await dataSource.destroy();
});

function listCreated(orgId: string, listId: string, label: string): AnyHubEvent {
  return createEvent({ type: EventTypes.campaignListCreated, source: '/test', orgId, aggregateId: listId, data: { listId, label } });
}

function startRelay(): OutboxRelay {
  const relay = new OutboxRelay({ dataSource, producer, pollIntervalMs: 100 });
  relay.start();
  cleanups.push(() => relay.stop());
  return relay;
}

async function startConsumer(handler: EventHandler, options: { maxAttempts?: number } = {}): Promise<EventConsumer> {
  const group = `test-${randomUUID()}`;
  const consumer = new EventConsumer({
    kafka,
    topics: [Topics.campaignLists],
    fromBeginning: false,
    dataSource,
    consumerGroup: group,
    handlerFor: (type) => (type === EventTypes.campaignListCreated ? handler : undefined),
    deadLetters: new DeadLetterPublisher(producer, group, '/test/messaging'),
    retry: { maxAttempts: options.maxAttempts ?? 3, backoffMs: 20, maxBackoffMs: 100 },
    maxEventsPerTransaction: 100,
  });
  await consumer.start();
  await consumer.whenPositioned();
  cleanups.push(() => consumer.stop());
  return consumer;
}

/** Applies events of `orgId` as rows in `effects`; other orgs' events are claimed but change nothing. */
function recordingHandler(orgId: string, fail?: (event: AnyHubEvent) => Error | undefined): EventHandler {
  return async (event, ctx) => {
    if (event.orgid !== orgId) return;
    const error = fail?.(event);
    if (error) throw error;
    await ctx.manager.query(`INSERT INTO effects (event_id, org_id, label) VALUES ($1, $2, $3)`, [event.id, event.orgid, (event.data as { label: string }).label]);
  };
}

async function effectsOf(orgId: string): Promise<Array<{ event_id: string; label: string }>> {
  return dataSource.query(`SELECT event_id, label FROM effects WHERE org_id = $1 ORDER BY label`, [orgId]);
}

describe('transactional outbox', () => {
  it('publishes each committed event exactly once and nothing of a rolled-back transaction', async () => {
    const orgId = newOrgId();
    const listId = newId('list'); // one key: one partition, so the sentinel arrives after the rest
    const committed = Array.from({ length: 20 }, (_, i) => listCreated(orgId, listId, `committed-${i}`));
    const rolledBack = Array.from({ length: 5 }, (_, i) => listCreated(orgId, listId, `rolled-back-${i}`));

    await dataSource.transaction((manager) => enqueueEvents(manager, committed));
    await expect(
      dataSource.transaction(async (manager) => {
        await enqueueEvents(manager, rolledBack);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');

    const relay = startRelay();
    const sentinel = listCreated(orgId, listId, 'sentinel');
    await dataSource.transaction((manager) => enqueueEvents(manager, [sentinel]));
    await probe.waitFor('sentinel relayed', (m) => m.json?.id === sentinel.id);

    // A relay restarted later republishes nothing already sent.
    await relay.stop();
    startRelay();
    const second = listCreated(orgId, listId, 'second-sentinel');
    await dataSource.transaction((manager) => enqueueEvents(manager, [second]));
    await probe.waitFor('second sentinel relayed', (m) => m.json?.id === second.id);

    const ids = probe.received.filter((m) => m.topic === Topics.campaignLists && m.json?.orgid === orgId).map((m) => m.json.id);
    expect(ids).toEqual([...committed.map((e) => e.id), sentinel.id, second.id]);
    const keys = new Set(probe.received.filter((m) => m.json?.orgid === orgId).map((m) => m.key));
    expect(keys).toEqual(new Set([`${orgId}:${listId}`]));
    const [{ unsent }] = await dataSource.query(`SELECT count(*)::int AS unsent FROM outbox_events WHERE sent_at IS NULL`);
    expect(unsent).toBe(0);
  });

  it('refuses an event that breaks its contract before anything is stored', async () => {
    const bad = listCreated(newOrgId(), 'list-1', 'x');
    (bad.data as { listId: string }).listId = 'has spaces';
    await expect(dataSource.transaction((manager) => enqueueEvents(manager, [bad]))).rejects.toThrow(/listId/);
  });
});

describe('inbox consumer', () => {
  it('applies a redelivered event once', async () => {
    const orgId = newOrgId();
    await startConsumer(recordingHandler(orgId));
    const event = listCreated(orgId, 'list-dup', 'once');
    await probe.publish(Topics.campaignLists, [event, event, event]);
    await waitFor('first delivery applied', async () => (await effectsOf(orgId)).length > 0);
    // Delivered again in a later batch, then a marker to know the consumer got past it.
    const marker = listCreated(orgId, 'list-dup', 'zz-marker');
    await probe.publish(Topics.campaignLists, [event, marker]);
    await waitFor('marker applied', async () => (await effectsOf(orgId)).some((row) => row.label === 'zz-marker'));
    expect(await effectsOf(orgId)).toEqual([
      { event_id: event.id, label: 'once' },
      { event_id: marker.id, label: 'zz-marker' },
    ]);
  });

  it('dead-letters a poison event after bounded retries while the partition keeps flowing', async () => {
    const orgId = newOrgId();
    const listId = 'list-poison';
    let attempts = 0;
    await startConsumer(
      recordingHandler(orgId, (event) => {
        if ((event.data as { label: string }).label !== 'poison') return undefined;
        attempts++;
        return new Error('downstream refused the poison');
      }),
      { maxAttempts: 3 },
    );
    const before = listCreated(orgId, listId, 'a-before');
    const poison = listCreated(orgId, listId, 'poison');
    const after = Array.from({ length: 5 }, (_, i) => listCreated(orgId, listId, `b-after-${i}`));
    await probe.publish(Topics.campaignLists, [before, poison, ...after]);

    const [dead] = await probe.waitFor('poison in the dead-letter topic', (m) => m.topic === Topics.hubDeadLetter && m.json?.id === poison.id);
    expect(dead.headers['dlq-reason']).toBe('handler failed after 3 attempts: downstream refused the poison');
    expect(dead.headers['dlq-original-topic']).toBe(Topics.campaignLists);
    expect(dead.headers['dlq-attempts']).toBe('3');
    expect(JSON.parse(dead.value!)).toEqual(poison);
    const [notice] = await probe.waitFor('rejection notice', (m) => m.topic === Topics.hubRejections && m.json?.data?.eventId === poison.id);
    expect(notice.json).toMatchObject({ type: EventTypes.hubEventRejected, orgid: orgId, data: { topic: Topics.campaignLists, eventType: poison.type } });
    expect(attempts).toBe(3);

    await waitFor('events after the poison applied', async () => (await effectsOf(orgId)).length === 6);
    expect((await effectsOf(orgId)).map((row) => row.label)).toEqual(['a-before', ...after.map((e) => (e.data as { label: string }).label)]);
  });

  it('dead-letters a rejected event at once, without retries', async () => {
    const orgId = newOrgId();
    let calls = 0;
    await startConsumer(
      recordingHandler(orgId, () => {
        calls++;
        return new RejectEventError('unknown data source ds-9', ['data.dataSourceId: no such data source']);
      }),
      { maxAttempts: 5 },
    );
    const event = listCreated(orgId, 'list-r', 'rejected');
    await probe.publish(Topics.campaignLists, [event]);
    const [dead] = await probe.waitFor('rejected event dead-lettered', (m) => m.topic === Topics.hubDeadLetter && m.json?.id === event.id);
    expect(dead.headers['dlq-reason']).toBe('unknown data source ds-9');
    expect(calls).toBe(1);
  });

  it('sends an event that fails validation straight to the dead-letter topic with the validation errors', async () => {
    const orgId = newOrgId();
    await startConsumer(recordingHandler(orgId));
    const invalid = { ...listCreated(orgId, 'list-v', 'x'), data: { listId: 'list-v' } };
    const notJson = { key: `${orgId}:list-v`, value: 'not json {' };
    const valid = listCreated(orgId, 'list-v', 'valid');
    await probe.publish(Topics.campaignLists, [invalid as AnyHubEvent]);
    await probe.publish(Topics.campaignLists, [notJson]);
    await probe.publish(Topics.campaignLists, [valid]);

    const [dead] = await probe.waitFor('invalid event dead-lettered', (m) => m.topic === Topics.hubDeadLetter && m.json?.id === invalid.id);
    expect(JSON.parse(dead.headers['dlq-errors'])).toEqual(['data.label: Required']);
    expect(dead.headers['dlq-attempts']).toBe('0');
    await probe.waitFor('non-JSON dead-lettered', (m) => m.topic === Topics.hubDeadLetter && m.value === notJson.value);
    const [notice] = await probe.waitFor('rejection for the invalid event', (m) => m.topic === Topics.hubRejections && m.json?.data?.eventId === invalid.id);
    expect(notice.json.data.errors).toEqual(['data.label: Required']);
    await waitFor('the valid event after them applied', async () => (await effectsOf(orgId)).length === 1);
  });
});

describe('events of types a consumer does not handle', () => {
  it('pass by unparsed when a header names their type, and are judged by their own consumers', async () => {
    const orgId = newOrgId();
    await startConsumer(recordingHandler(orgId)); // handles campaign.list.created only
    // Not JSON, but named as another type of the topic: this consumer has no business with it.
    const foreign = { key: `${orgId}:list-h`, value: 'not json, and not ours {', headers: { ce_type: EventTypes.campaignListDeleted } };
    const unnamed = { key: `${orgId}:list-h`, value: 'not json, and no header {' };
    const marker = listCreated(orgId, 'list-h', 'after');
    await probe.publish(Topics.campaignLists, [foreign]);
    await probe.publish(Topics.campaignLists, [unnamed]);
    await probe.publish(Topics.campaignLists, [marker]);
    await waitFor('the event after them applied', async () => (await effectsOf(orgId)).length === 1);
    await probe.waitFor('the unnamed one dead-lettered', (m) => m.topic === Topics.hubDeadLetter && m.value === unnamed.value);
    expect(probe.received.filter((m) => m.topic === Topics.hubDeadLetter && m.value === foreign.value)).toEqual([]);
  });

  it('are named in a header by the outbox relay', async () => {
    const event = listCreated(newOrgId(), 'list-named', 'named');
    await dataSource.transaction((manager) => enqueueEvents(manager, [event]));
    startRelay();
    const [relayed] = await probe.waitFor('relayed', (m) => m.json?.id === event.id);
    expect(relayed.headers.ce_type).toBe(EventTypes.campaignListCreated);
  });
});
