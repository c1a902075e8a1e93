import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditActions, EventTypes, PLATFORM_ORG_ID, Topics, validateEventData } from '@audience-hub/contracts';
import { MESSAGING_MIGRATIONS } from '@audience-hub/messaging';
import { createServiceDataSource, migrateServiceSchema } from '@audience-hub/persistence';
import type { ServiceDescriptor } from '@audience-hub/platform';
import { newOrgId, testEnv } from '@audience-hub/testing';
import type { AuditActor } from './audit-actor';
import { AuditTrail } from './audit-trail';
import { AuditTrail1764401500000 } from './audit-trail.migration';
import { AuditRepository, type AuditFilter } from './audit.repository';

const env = testEnv();
/** A schema of its own, migrated by a real service role, as each service's is. */
const SCHEMA = 'audit_trail_spec';
const descriptor = { name: 'audience-export', schema: SCHEMA } as ServiceDescriptor;

describe('audit trail (real Postgres, a service role)', () => {
  let dataSource: DataSource;
  let asServiceRole: Client;
  let trail: AuditTrail;
  const repository = new AuditRepository();
  const orgA = newOrgId();
  const orgB = newOrgId();
  const actor = (orgId: string, clientId = 'client-a'): AuditActor => ({ clientId, orgId, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
  const list = (filter: Partial<AuditFilter>) => repository.list(dataSource.manager, { orgId: orgA, withPlatform: false, limit: 100, ...filter });

  beforeAll(async () => {
    dataSource = createServiceDataSource({ url: env.serviceDatabaseUrl('audience-export'), schema: SCHEMA, migrations: [...MESSAGING_MIGRATIONS, AuditTrail1764401500000] });
    await dataSource.initialize();
    await migrateServiceSchema(dataSource);
    trail = new AuditTrail(dataSource, repository, descriptor);
    asServiceRole = new Client({ connectionString: env.serviceDatabaseUrl('audience-export') });
    await asServiceRole.connect();
  });

  afterAll(async () => {
    await asServiceRole?.end();
    await dataSource?.destroy();
  });

  it("writes one row and one hub.audit.recorded event in the action's transaction", async () => {
    const record = await dataSource.transaction((tx) => trail.record(tx, { action: AuditActions.dataSourceCreate, actor: actor(orgA), target: { dataSourceId: 'ds-crm' } }));
    expect(record).toEqual({
      auditId: expect.any(String),
      action: 'data-source.create',
      outcome: 'succeeded',
      orgId: orgA,
      actor: { clientId: 'client-a', orgId: orgA },
      target: { dataSourceId: 'ds-crm' },
      occurredAt: expect.any(String),
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      service: 'audience-export',
    });
    const rows = await asServiceRole.query(`SELECT id FROM ${SCHEMA}.audit_events WHERE id = $1`, [record.auditId]);
    expect(rows.rowCount).toBe(1);
    const outbox = await asServiceRole.query(`SELECT topic, message_key, message_value FROM ${SCHEMA}.outbox_events WHERE message_value::jsonb -> 'data' ->> 'auditId' = $1`, [
      record.auditId,
    ]);
    expect(outbox.rows).toHaveLength(1);
    const event = JSON.parse(outbox.rows[0].message_value);
    expect(outbox.rows[0]).toMatchObject({ topic: Topics.hubAudit, message_key: `${orgA}:audit` });
    expect(event).toMatchObject({ type: EventTypes.hubAuditRecorded, orgid: orgA, data: record, traceparent: expect.stringMatching(/^00-4bf92f3577b34da6a3ce929d0e0e4736-/) });
    expect(() => validateEventData(EventTypes.hubAuditRecorded, event.data)).not.toThrow();
  });

  it('records nothing when the action rolls back', async () => {
    let auditId = '';
    await expect(
      dataSource.transaction(async (tx) => {
        auditId = (await trail.record(tx, { action: AuditActions.dataSourceDelete, actor: actor(orgA), target: { dataSourceId: 'ds-x' } })).auditId;
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');
    expect((await asServiceRole.query(`SELECT 1 FROM ${SCHEMA}.audit_events WHERE id = $1`, [auditId])).rowCount).toBe(0);
    expect((await asServiceRole.query(`SELECT 1 FROM ${SCHEMA}.outbox_events WHERE message_value::jsonb -> 'data' ->> 'auditId' = $1`, [auditId])).rowCount).toBe(0);
  });

  it('is append-only for the service role: INSERT works, UPDATE, DELETE and TRUNCATE are refused', async () => {
    await asServiceRole.query(
      `INSERT INTO ${SCHEMA}.audit_events (id, occurred_at, org_id, actor_client_id, actor_org_id, action, outcome, target, trace_id)
       VALUES (gen_random_uuid(), now(), $1, 'c', $1, 'data-source.update', 'succeeded', '{}', '4bf92f3577b34da6a3ce929d0e0e4736')`,
      [orgB],
    );
    await expect(asServiceRole.query(`UPDATE ${SCHEMA}.audit_events SET outcome = 'failed'`)).rejects.toThrow(/permission denied for table audit_events/);
    await expect(asServiceRole.query(`DELETE FROM ${SCHEMA}.audit_events`)).rejects.toThrow(/permission denied for table audit_events/);
    await expect(asServiceRole.query(`TRUNCATE ${SCHEMA}.audit_events`)).rejects.toThrow(/permission denied for table audit_events/);
    expect((await asServiceRole.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.audit_events WHERE org_id = $1`, [orgB])).rows[0].n).toBe(1);
  });

  it('keeps platform actions out of every org, for platform operators only', async () => {
    const rotation = await trail.recordAttempt({ action: AuditActions.signingKeysRotate, actor: actor(orgA), target: {}, outcome: 'denied', reason: 'insufficient-scope' });
    expect(rotation).toMatchObject({ orgId: null, outcome: 'denied', reason: 'insufficient-scope', actor: { orgId: orgA } });
    const outbox = await asServiceRole.query(`SELECT message_value FROM ${SCHEMA}.outbox_events WHERE message_value::jsonb -> 'data' ->> 'auditId' = $1`, [rotation.auditId]);
    expect(JSON.parse(outbox.rows[0].message_value).orgid).toBe(PLATFORM_ORG_ID);
    expect((await list({})).map((row) => row.id)).not.toContain(rotation.auditId);
    expect((await list({ withPlatform: true })).map((row) => row.id)).toContain(rotation.auditId);
  });

  it('filters by org, actor, action and time, newest first, and pages by seq', async () => {
    const record = (action: typeof AuditActions.dataSourceUpdate | typeof AuditActions.dataSourceCreate, clientId: string, orgId = orgA) =>
      dataSource.transaction((tx) => trail.record(tx, { action, actor: actor(orgId, clientId), target: { dataSourceId: 'ds-1' } }));
    const start = new Date();
    const mine = [
      await record(AuditActions.dataSourceUpdate, 'filter-1'),
      await record(AuditActions.dataSourceCreate, 'filter-2'),
      await record(AuditActions.dataSourceUpdate, 'filter-1'),
    ];
    const theirs = await record(AuditActions.dataSourceUpdate, 'filter-1', orgB);

    const since = await list({ from: start.toISOString() });
    expect(since.map((row) => row.id)).toEqual(mine.map((r) => r.auditId).reverse());
    expect(since.map((row) => row.id)).not.toContain(theirs.auditId);
    expect((await list({ from: start.toISOString(), actorClientId: 'filter-1' })).map((row) => row.id)).toEqual([mine[2].auditId, mine[0].auditId]);
    expect((await list({ from: start.toISOString(), action: AuditActions.dataSourceCreate })).map((row) => row.id)).toEqual([mine[1].auditId]);
    expect(await list({ to: start.toISOString(), actorClientId: 'filter-2' })).toEqual([]);
    const firstPage = await list({ from: start.toISOString(), limit: 2 });
    expect(firstPage.map((row) => row.id)).toEqual([mine[2].auditId, mine[1].auditId]);
    expect((await list({ from: start.toISOString(), beforeSeq: firstPage[1].seq })).map((row) => row.id)).toEqual([mine[0].auditId]);
  });
});
