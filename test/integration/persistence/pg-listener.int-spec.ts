import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { testEnv, waitFor } from '@audience-hub/testing';
import { createServiceDataSource, listenerConnection, PgListener, type PgListenerOptions } from '@audience-hub/persistence';

const env = testEnv();
let admin: Client;
const listeners: PgListener[] = [];

beforeAll(async () => {
  admin = new Client({ connectionString: env.databaseUrl });
  await admin.connect();
});

afterEach(async () => {
  while (listeners.length) await listeners.pop()!.close();
});

afterAll(async () => {
  await admin.end();
});

/** A listener on a channel of its own, named uniquely in pg_stat_activity, recording what it sees. */
function startListener(overrides: Partial<PgListenerOptions> = {}) {
  const id = randomBytes(4).toString('hex');
  const dataSource = createServiceDataSource({ url: env.databaseUrl, schema: 'public', migrations: [], applicationName: `pg-listener-test-${id}` });
  const connection = listenerConnection(dataSource, 'listener');
  const seen = { payloads: [] as string[], connects: 0, listenings: 0, errors: 0 };
  const channel = `pg_listener_test_${id}`;
  const listener = new PgListener({
    connection,
    channels: [channel],
    onNotify: (notification) => seen.payloads.push(notification.payload ?? ''),
    onConnect: async () => void seen.connects++,
    onListening: () => seen.listenings++,
    onError: () => seen.errors++,
    backoff: { minMs: 20, maxMs: 100 },
    ...overrides,
  });
  listeners.push(listener);
  listener.start();
  const notify = (payload: string) => admin.query(`SELECT pg_notify($1, $2)`, [channel, payload]);
  return { listener, seen, notify, applicationName: connection.application_name! };
}

async function backendPids(applicationName: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [applicationName]);
  return rows.map((row) => row.pid);
}

describe('PgListener', () => {
  it('receives a NOTIFY, and after its backend is killed reconnects by itself, runs onConnect again and receives the next', async () => {
    const { listener, seen, notify, applicationName } = startListener();
    await waitFor('listening', () => listener.isListening);
    await notify('first');
    await waitFor('first notification', () => seen.payloads.includes('first'));
    const [killed] = await backendPids(applicationName);

    await admin.query(`SELECT pg_terminate_backend($1)`, [killed]);
    await waitFor('a new backend, listening', async () => listener.isListening && (await backendPids(applicationName)).some((pid) => pid !== killed));
    await notify('second');
    await waitFor('second notification', () => seen.payloads.includes('second'));

    expect(seen).toEqual({ payloads: ['first', 'second'], connects: 2, listenings: 2, errors: 1 });
  });

  it('stands by without error while onConnect says "not now", then listens once it agrees', async () => {
    let leader = false;
    let asked = 0;
    const { listener, seen, notify } = startListener({
      onConnect: async () => {
        asked++;
        return leader;
      },
      standbyMs: 20,
    });
    await waitFor('asked twice', () => asked >= 2);
    expect(listener.isListening).toBe(false);

    leader = true;
    await waitFor('listening', () => listener.isListening);
    await notify('now');
    await waitFor('notification', () => seen.payloads.includes('now'));
    expect(seen.errors).toBe(0);
  });

  it('stops reconnecting once closed, even with a reconnect already planned', async () => {
    const closing: { done?: Promise<void> } = {};
    // Closes the moment the loss is reported, that is just after the reconnect was planned.
    const { listener, seen, applicationName } = startListener({ onError: () => (closing.done = listener.close()) });
    await waitFor('listening', () => listener.isListening);
    const [killed] = await backendPids(applicationName);

    await admin.query(`SELECT pg_terminate_backend($1)`, [killed]);
    await waitFor('closed after the loss', () => closing.done !== undefined);
    await closing.done;

    // Twenty times the longest backoff: a reconnect would have shown by then.
    await expect(
      waitFor('a reconnect after close', async () => seen.connects > 1 || (await backendPids(applicationName)).some((pid) => pid !== killed), { timeoutMs: 2_000, intervalMs: 50 }),
    ).rejects.toThrow(/timed out/);
    expect(listener.isListening).toBe(false);
  });

  it('closes its connection on close', async () => {
    const { listener, applicationName } = startListener();
    await waitFor('listening', () => listener.isListening);
    await listener.close();
    await waitFor('no backend left', async () => (await backendPids(applicationName)).length === 0);
  });
});
