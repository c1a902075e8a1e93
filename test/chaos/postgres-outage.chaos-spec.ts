import { createEvent, EventTypes, Topics } from '@audience-hub/contracts';
import { KafkaProbe, launchService, newId, newOrgId, TcpProxy, testEnv, waitFor, type RunningService } from '@audience-hub/testing';
import { Client } from 'pg';

const env = testEnv();

/** Postgres unreachable for 10 s: the service says not ready, recovers alone, and loses nothing. */
describe('Postgres outage', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  let proxy: TcpProxy;
  let exporter: RunningService;

  beforeAll(async () => {
    await db.connect();
    const target = new URL(env.databaseUrl);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    const url = new URL(env.serviceDatabaseUrl('audience-export'));
    url.port = String(port);
    exporter = await launchService('audience-export', env.serviceEnv('audience-export', { DATABASE_URL: url.toString() }));
    await probe.listen([Topics.hubDeadLetter]);
  });

  afterAll(async () => {
    await exporter?.stop();
    await proxy?.stop();
    await probe.close();
    await db.end();
  });

  it('answers not ready while Postgres is away, then applies every event once it is back', async () => {
    const orgId = newOrgId();
    const listId = newId('list');
    const chunk = (from: number) =>
      createEvent({
        type: EventTypes.campaignListMembersAdded,
        source: '/campaign',
        orgId,
        aggregateId: listId,
        data: { listId, recipientIds: Array.from({ length: 1000 }, (_, i) => `r-${from + i}`) },
      });
    const members = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM audience_export.campaign_list_members WHERE org_id = $1 AND list_id = $2`, [orgId, listId])).rows[0].n;

    await probe.publish(Topics.campaignLists, [chunk(0), chunk(1000)]);
    await waitFor('first members stored', async () => (await members()) === 2000);

    const cutAt = Date.now();
    proxy.cut();
    await waitFor('readiness reports the outage', async () => (await fetch(`${exporter.url}/health/ready`)).status === 503);
    const ready = (await (await fetch(`${exporter.url}/health/ready`)).json()) as { checks: { postgres: { status: string } } };
    expect(ready.checks.postgres.status).toBe('down');
    // Events keep coming while the database is away.
    await probe.publish(Topics.campaignLists, [chunk(2000), chunk(3000), chunk(4000)]);
    // The fault lasts 10 s (its duration, not a synchronisation).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 10_000 - (Date.now() - cutAt))));
    proxy.restore();

    await waitFor('ready again', async () => (await fetch(`${exporter.url}/health/ready`)).status === 200, { timeoutMs: 60_000 });
    await waitFor('every member stored', async () => (await members()) === 5000, { timeoutMs: 60_000 });
    expect(probe.received.filter((m) => m.json?.orgid === orgId)).toEqual([]); // nothing dead-lettered
    expect(exporter.process.exitCode).toBeNull(); // recovered alone, no restart
  });
});
