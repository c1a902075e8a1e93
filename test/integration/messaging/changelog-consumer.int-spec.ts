import { randomBytes, randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { createServiceDataSource } from '@audience-hub/persistence';
import { TcpProxy, testEnv, waitFor } from '@audience-hub/testing';
import {
  applyPastPosition,
  ChangelogConsumer,
  ChangelogPositions1765000000800,
  createIdempotentProducer,
  createKafka,
  DeadLetterPublisher,
  physicalTopic,
  type ChangelogRecord,
} from '@audience-hub/messaging';
import { openMessagingSchema } from './messaging-schema';

class TestReplica1765000000801 implements MigrationInterface {
  name = 'TestReplica1765000000801';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE replica (key text COLLATE "C" PRIMARY KEY, seq bigint NOT NULL)`);
    // Every write of a record older than the one its key holds: what a stale batch would do.
    await runner.query(`CREATE TABLE regressions (key text NOT NULL, held bigint NOT NULL, written bigint NOT NULL)`);
  }
  async down(): Promise<void> {}
}

const env = testEnv();
let kafka: Kafka;
let producer: Producer;
let dataSource: DataSource;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'changelog-consumer-int' });
  producer = createIdempotentProducer(kafka);
  await producer.connect();
  dataSource = await openMessagingSchema('changelog', [ChangelogPositions1765000000800, TestReplica1765000000801]);
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

afterAll(async () => {
  await producer.disconnect();
  await dataSource.destroy();
});

type Seq = { seq: number };

/** Writes each key's record; a record older than what its key holds is noted as a regression. */
async function applyToReplica(tx: EntityManager, records: ReadonlyArray<ChangelogRecord<Seq>>): Promise<void> {
  const input = JSON.stringify(records.map((record) => ({ key: record.key, seq: record.value!.seq })));
  await tx.query(
    `WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(key text, seq bigint)),
          regressed AS (INSERT INTO regressions (key, held, written) SELECT i.key, t.seq, i.seq FROM input i JOIN replica t USING (key) WHERE t.seq > i.seq)
     INSERT INTO replica (key, seq) SELECT key, seq FROM input ON CONFLICT (key) DO UPDATE SET seq = EXCLUDED.seq`,
    [input],
  );
}

const records = (from: number, to: number): Array<ChangelogRecord<Seq>> =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ key: `k${from + i}`, value: { seq: from + i }, offset: String(from + i) }));

describe('changelog positions', () => {
  const position = () => ({ topic: `positions-${randomUUID()}`, partition: 0 });

  it("applies only the records past the partition's position, and moves it to the last applied", async () => {
    const at = position();
    const seen: string[][] = [];
    const note = async (fresh: ReadonlyArray<ChangelogRecord<Seq>>) => {
      seen.push(fresh.map((record) => record.offset));
    };
    expect(await dataSource.transaction((tx) => applyPastPosition(tx, at, records(100, 300), note))).toBe(201);
    // A batch of the partition's previous owner, in flight when the new owner applied the records above.
    expect(await dataSource.transaction((tx) => applyPastPosition(tx, at, records(100, 200), note))).toBe(0);
    expect(await dataSource.transaction((tx) => applyPastPosition(tx, at, records(250, 400), note))).toBe(100);
    expect(seen.map((offsets) => [offsets[0], offsets.at(-1)])).toEqual([
      ['100', '300'],
      ['301', '400'],
    ]);
    // Another partition, and another topic's same partition, have positions of their own.
    expect(await dataSource.transaction((tx) => applyPastPosition(tx, { ...at, partition: 1 }, records(0, 10), note))).toBe(11);
    expect(await dataSource.transaction((tx) => applyPastPosition(tx, position(), records(0, 10), note))).toBe(11);
  });

  it("makes a partition's second transaction wait for the first, then apply only what the first did not", async () => {
    const at = position();
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstPid = 0;
    // The old owner's batch (offsets 100-200) holds the position; the new owner's (100-300) comes meanwhile.
    const first = dataSource.transaction(async (tx) => {
      [{ pid: firstPid }] = await tx.query(`SELECT pg_backend_pid() AS pid`);
      return applyPastPosition(tx, at, records(100, 200), async (fresh) => {
        await applyToReplica(tx, fresh);
        await firstHeld;
      });
    });
    await waitFor('the first transaction holds the position', () => firstPid > 0 && true);
    let secondApplied: string[] = [];
    const second = dataSource.transaction((tx) =>
      applyPastPosition(tx, at, records(100, 300), async (fresh) => {
        secondApplied = fresh.map((record) => record.offset);
        await applyToReplica(tx, fresh);
      }),
    );
    await waitFor('the second transaction waits for the first', async () => {
      const [{ waiting }] = await dataSource.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [firstPid]);
      return waiting > 0;
    });
    releaseFirst();
    expect(await first).toBe(101);
    expect(await second).toBe(100);
    expect([secondApplied[0], secondApplied.at(-1)]).toEqual(['201', '300']);
  });
});

/** A topic of its own for one test (logical name). */
async function newTopic(partitions: number): Promise<string> {
  const topic = `test.changelog-${randomBytes(4).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: physicalTopic(topic), numPartitions: partitions }] });
  await admin.disconnect();
  return topic;
}

/** A member of `group` keeping the test replica, started; stopped after the test. */
async function member(
  topic: string,
  group: string,
  hooks: {
    apply?: (tx: EntityManager, batch: ReadonlyArray<ChangelogRecord<Seq>>) => Promise<void>;
    decoded?: (key: string) => void;
    attempted?: () => void;
    log?: (message: string) => void;
    through?: DataSource;
  } = {},
): Promise<ChangelogConsumer<Seq>> {
  const consumer = new ChangelogConsumer<Seq>({
    kafka,
    dataSource: hooks.through ?? dataSource,
    log: (_level, message) => hooks.log?.(message),
    topic,
    consumerGroup: group,
    deadLetters: new DeadLetterPublisher(producer, group, '/test/changelog-consumer'),
    retry: { maxAttempts: 3, backoffMs: 20, maxBackoffMs: 100 },
    sessionTimeoutMs: 6_000,
    // Small fetches: many batches, so that rebalances find some being applied and others fetched.
    maxBytesPerPartition: 4 * 1024,
    decode: (message: KafkaMessage) => {
      const key = message.key!.toString();
      hooks.decoded?.(key);
      return { ok: true, key, value: JSON.parse(message.value!.toString()) as Seq };
    },
    apply: async (tx, batch) => {
      await hooks.apply?.(tx, batch);
      await applyToReplica(tx, batch);
    },
    metrics: { applied: () => hooks.attempted?.(), deadLettered: () => undefined },
  });
  await consumer.start();
  cleanups.push(() => consumer.stop());
  return consumer;
}

const publish = (topic: string, records: Array<{ key: string; seq: number }>) =>
  producer.send({ topic: physicalTopic(topic), acks: -1, messages: records.map(({ key, seq }) => ({ key, value: JSON.stringify({ seq }) })) });

const seqOf = async (key: string): Promise<number | undefined> => {
  const [row] = await dataSource.query(`SELECT seq FROM replica WHERE key = $1`, [key]);
  return row ? Number(row.seq) : undefined;
};

describe('ChangelogConsumer', () => {
  beforeEach(() => dataSource.query(`TRUNCATE replica, regressions`));

  it("applies every key's latest record, and never an older one over a newer, while members join and leave mid-batch and records keep coming", async () => {
    const topic = await newTopic(3);
    const group = `test-changelog-${randomUUID()}`;
    const latest = new Map<string, number>();
    let seq = 0;
    const publishMore = (count: number) =>
      publish(
        topic,
        Array.from({ length: count }, () => {
          const key = `key-${Math.floor(Math.random() * 300)}`;
          latest.set(key, ++seq);
          return { key, seq };
        }),
      );
    // A database slower than Kafka: batches stay in flight long enough for a rebalance to land among them.
    const slowly = { apply: async (tx: EntityManager) => void (await tx.query(`SELECT pg_sleep(random() * 0.05)`)) };
    const replicaMatches = async () => {
      const rows: Array<{ key: string; seq: string }> = await dataSource.query(`SELECT key, seq FROM replica`);
      return rows.length === latest.size && rows.every((row) => latest.get(row.key) === Number(row.seq));
    };

    await publishMore(3_000);
    const first = await member(topic, group, slowly);
    await first.whenPositioned();
    await publishMore(2_000);
    // A second member joins: the partitions are shared out again while the first applies.
    const second = await member(topic, group, slowly);
    await second.whenPositioned();
    await publishMore(2_000);
    // The first leaves with batches in flight; the second takes its partitions over.
    await first.stop();
    await publishMore(2_000);
    const third = await member(topic, group, slowly);
    await third.whenPositioned();
    await publishMore(1_000);

    await waitFor('every key at its latest record', replicaMatches, { timeoutMs: 90_000, intervalMs: 250 });
    expect(await dataSource.query(`SELECT key, held, written FROM regressions`)).toEqual([]);
    const [{ positions }] = await dataSource.query(`SELECT count(*)::int AS positions FROM changelog_positions WHERE topic = $1`, [physicalTopic(topic)]);
    expect(positions).toBe(3);
  }, 150_000);

  it('a member that stalled past its session applies nothing of the batch it had fetched once the new owner applied newer records', async () => {
    const topic = await newTopic(1);
    const group = `test-changelog-${randomUUID()}`;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let heldPid = 0;
    let fetchedNext = false;
    let attempts = 0;
    // The first member's first batch stalls in its transaction (a stuck database) until released;
    // it fetches the next batch meanwhile, and its session expires.
    await publish(topic, [
      { key: 'k', seq: 1 },
      { key: 'hold', seq: 2 },
    ]);
    const first = await member(topic, group, {
      apply: async (tx, batch) => {
        if (heldPid > 0 || !batch.some((record) => record.key === 'hold')) return;
        [{ pid: heldPid }] = await tx.query(`SELECT pg_backend_pid() AS pid`);
        await held;
      },
      decoded: (key) => (fetchedNext ||= key === 'next'),
      attempted: () => attempts++,
    });
    cleanups.push(async () => release());
    await waitFor('the first batch held', () => heldPid > 0);
    await publish(topic, [
      { key: 'next', seq: 3 },
      { key: 'k', seq: 3 },
    ]);
    await waitFor('the next batch fetched behind it', () => fetchedNext);
    await publish(topic, [{ key: 'k', seq: 4 }]);

    // A new member takes the partition over once the first one's session expired, reads it from
    // the start (nothing was committed), and waits for the held transaction's position.
    await member(topic, group);
    await waitFor(
      "the new owner's batch waits for the held one",
      async () => {
        const [{ waiting }] = await dataSource.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [heldPid]);
        return waiting > 0;
      },
      { timeoutMs: 60_000 },
    );
    release();
    // The new owner applies k=4 first (it waited first); the stalled member's next batch, k=3, comes after.
    await waitFor('both batches of the stalled member attempted', () => attempts >= 2, { timeoutMs: 60_000 });
    expect(await dataSource.query(`SELECT key, held, written FROM regressions`)).toEqual([]);
    await waitFor('k at its latest record', async () => (await seqOf('k')) === 4 && (await seqOf('next')) === 3, { timeoutMs: 60_000 });
    await first.stop();
    expect(await seqOf('k')).toBe(4);
  }, 120_000);
  it('stops while the database is away, giving up the batch it holds, which the next member applies', async () => {
    const topic = await newTopic(1);
    const group = `test-changelog-${randomUUID()}`;
    const target = new URL(env.databaseUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const url = new URL(env.databaseUrl);
    url.port = String(await proxy.start());
    const proxied = createServiceDataSource({ url: url.toString(), schema: (dataSource.options as { schema: string }).schema, migrations: [] });
    await proxied.initialize();
    cleanups.push(async () => {
      proxy.restore();
      await proxied.destroy();
      await proxy.stop();
    });
    let holding = false;
    const consumer = await member(topic, group, { through: proxied, log: (message) => (holding ||= message.startsWith('database unavailable')) });
    await publish(topic, [{ key: 'before', seq: 1 }]);
    await waitFor('the first record applied', async () => (await seqOf('before')) === 1);

    proxy.cut();
    await publish(topic, [{ key: 'during', seq: 2 }]);
    await waitFor('the batch waits for the database', () => holding);
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await waitFor('stopped while the database is still away', () => stopped, { timeoutMs: 20_000 });
    await stopping;

    proxy.restore();
    await member(topic, group);
    await waitFor('the batch given up applied by the next member', async () => (await seqOf('during')) === 2);
  }, 120_000);
});
