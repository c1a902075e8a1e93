import { Client } from 'pg';
import { createEvent, EventTypes, Topics } from '@audience-hub/contracts';
import { KafkaProbe, launchService, newId, newOrgId, testEnv, waitFor } from '@audience-hub/testing';

const env = testEnv();

/** audience-export as its own process: SIGTERM in the middle of the list events loses nothing and applies nothing twice. */
describe('audience-export shutdown during a batch', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });

  beforeAll(() => db.connect());
  afterAll(async () => {
    await probe.close();
    await db.end();
  });

  it('drains on SIGTERM and, once restarted, ends with every member exactly once', async () => {
    const orgId = newOrgId();
    const listId = newId('list');
    const chunks = 60;
    const perChunk = 2_000;
    const events = [
      createEvent({ type: EventTypes.campaignListCreated, source: '/campaign', orgId, aggregateId: listId, data: { listId, label: 'Newsletter' } }),
      ...Array.from({ length: chunks }, (_, chunk) =>
        createEvent({
          type: EventTypes.campaignListMembersAdded,
          source: '/campaign',
          orgId,
          aggregateId: listId,
          data: { listId, recipientIds: Array.from({ length: perChunk }, (_, i) => `r-${chunk * perChunk + i}`) },
        }),
      ),
    ];
    // Small fetches and transactions, so the stop lands in a batch, mid-backlog.
    const serviceEnv = env.serviceEnv('audience-export', { EVENTS_PER_TRANSACTION: '1', KAFKA_MAX_BYTES_PER_PARTITION: '65536', LOG_LEVEL: 'info' });
    const first = await launchService('audience-export', serviceEnv);
    // One send per event: each is its own record batch, so a fetch holds only a few of them.
    for (const event of events) await probe.publish(Topics.campaignLists, [event]);

    const members = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM audience_export.campaign_list_members WHERE org_id = $1 AND list_id = $2`, [orgId, listId])).rows[0].n as number;
    await waitFor('some members stored', async () => (await members()) > 0, { intervalMs: 5 });
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.output()).toContain('stopped cleanly');
    const afterStop = await members();
    expect(afterStop).toBeLessThan(chunks * perChunk); // it really was stopped mid-way

    const second = await launchService('audience-export', serviceEnv);
    try {
      await waitFor('all members stored', async () => (await members()) === chunks * perChunk, { timeoutMs: 60_000 });
      const { rows } = await db.query(
        `SELECT count(*)::int AS applied, count(DISTINCT event_id)::int AS distinct_events FROM audience_export.inbox_events WHERE event_id = ANY($1::uuid[])`,
        [events.map((event) => event.id)],
      );
      expect(rows[0]).toEqual({ applied: events.length, distinct_events: events.length });
    } finally {
      await second.stop();
    }
  });
});
