import { ZodError } from 'zod';
import type { AuditActor } from '@audience-hub/audit';
import { createEvent, EventTypes, identifierHash, partitionKeyOf, Topics, type AnyHubEvent, type HubEventOf, type PrivacyRequested } from '@audience-hub/contracts';
import { enqueueEvents, type EventContext } from '@audience-hub/messaging';
import { SuppressionsRepository, PrivacyRequestsConsumer } from '@audience-hub/platform';
import { openMediumSchema, type MediumSchema, type OutboxRecord } from '@audience-hub/testing';
import { idReconciliationService } from '../service';
import { ingestionConsumers } from '../testing/medium-fixture';
import { CreatePrivacyRequestSchema, type CreatePrivacyRequest } from '@audience-hub/contracts';
import { PrivacyReceiptsConsumer } from './privacy-receipts.consumer';
import { PrivacyRepository } from './privacy.repository';
import { ActOnPrivacyRequestUseCase } from './usecases/act-on-privacy-request.usecase';
import { CreatePrivacyRequestUseCase } from './usecases/create-privacy-request.usecase';
import { GetPrivacyRequestUseCase } from './usecases/get-privacy-request.usecase';
import { RecordPrivacyReceiptUseCase } from './usecases/record-privacy-receipt.usecase';

/**
 * Privacy requests in id-reconciliation on real Postgres (medium tier): input checks, idempotency,
 * the expansion through the graph (history included) recorded as hashes only, the delete of
 * id-reconciliation's part with its tombstones, and the request's status from the receipts.
 */
describe('privacy requests in id-reconciliation (medium)', () => {
  const orgId = 'AAAAAAAAAAAAAAAAAAAAAAAA@AdobeOrg';
  const actor: AuditActor = { clientId: 'medium-spec', orgId, traceId: '0'.repeat(32) };
  const ecid = (n: number) => String(n).padStart(38, '4');
  const ALICE_ECID = ecid(11);
  const SHARED_ECID = ecid(12); // seen with alice first, then with bob: history makes it one of alice's
  const BOB_ECID = ecid(13);
  const PENDING_ECID = ecid(14); // nobody's: a subject that is only pending somewhere
  let db: MediumSchema;
  let stack: ReturnType<typeof build>;

  const request = (subjects: CreatePrivacyRequest['subjects'], type: CreatePrivacyRequest['type'] = 'delete', extra: Partial<CreatePrivacyRequest> = {}) =>
    CreatePrivacyRequestSchema.parse({ regulation: 'gdpr', type, subjects, ...extra });
  const ctxOf = (tx: EventContext['manager'], attempt = 1) =>
    ({ manager: tx, attempt, publish: (out: AnyHubEvent | readonly AnyHubEvent[]) => enqueueEvents(tx, [out].flat()) }) as EventContext;
  const fanOutOf = (records: OutboxRecord[], requestId: string) =>
    records.find((r) => r.event?.type === EventTypes.hubPrivacyRequested && (r.event.data as PrivacyRequested).requestId === requestId)!
      .event as HubEventOf<'hub.privacy.requested'>;

  beforeAll(async () => {
    db = await openMediumSchema(idReconciliationService);
    stack = build(db);
    await db.transaction((tx) => stack.orgs.register(tx, { orgId, name: null }));
    await db.transaction((tx) =>
      stack.dataSources.create(tx, actor, {
        id: 'crm',
        name: 'CRM e-mail',
        integrationCode: 'CRMMAIL',
        reconciliationKey: { attribute: 'email', normalization: ['trim', 'lowercase', 'sha256'] },
        exportControls: [],
      } as never),
    );
    const event = <T extends 'campaign.recipient.upserted' | 'campaign.visitor.observed'>(type: T, data: HubEventOf<T>['data']) =>
      createEvent({ type, source: '/tests', orgId, aggregateId: 'r', data }) as HubEventOf<T>;
    await db.transaction((tx) =>
      stack.recipients.upserted(
        [
          event('campaign.recipient.upserted', { recipientId: 'alice', attributes: { email: 'Alice@Example.com' } }),
          event('campaign.recipient.upserted', { recipientId: 'bob', attributes: { email: 'bob@example.com' } }),
        ],
        ctxOf(tx),
      ),
    );
    const seen = (recipientId: string, ecid: string, at: string) => event('campaign.visitor.observed', { recipientId, ecid, observedAt: at, channel: 'web' });
    await db.transaction((tx) =>
      stack.visitors.observed(
        [
          seen('alice', ALICE_ECID, '2026-01-01T00:00:00Z'),
          seen('alice', SHARED_ECID, '2026-01-02T00:00:00Z'),
          seen('bob', SHARED_ECID, '2026-01-03T00:00:00Z'),
          seen('bob', BOB_ECID, '2026-01-03T00:00:00Z'),
        ],
        ctxOf(tx),
      ),
    );
    await db.takeOutbox();
  });
  afterAll(() => db?.close());

  it('refuses an unknown namespace, a malformed ECID and 1,001 subjects, naming each', async () => {
    const refused = await stack.create
      .execute(
        actor,
        request([
          { namespace: 'fax', value: '1' },
          { namespace: 'ecid', value: '123' },
        ]),
      )
      .catch((error) => error);
    expect(refused).toBeInstanceOf(ZodError);
    expect((refused as ZodError).issues.map((issue) => issue.path.join('.'))).toEqual(['subjects.0.namespace', 'subjects.1.value']);
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ namespace: 'recipientId', value: `r-${i}` }));
    expect(CreatePrivacyRequestSchema.safeParse({ regulation: 'gdpr', type: 'delete', subjects: tooMany }).success).toBe(false);
    expect(CreatePrivacyRequestSchema.safeParse({ regulation: 'gdpr', type: 'delete', subjects: tooMany.slice(0, 1000) }).success).toBe(true);
  });

  it('answers the earlier request for the same Idempotency-Key, or the same type and subjects while it is unfinished', async () => {
    const first = await stack.create.execute(actor, request([{ namespace: 'recipientId', value: 'nobody' }], 'delete', { dryRun: true }), 'key-1');
    expect(first.duplicate).toBe(false);
    expect((await stack.create.execute(actor, request([{ namespace: 'recipientId', value: 'someone-else' }]), 'key-1')).requestId).toBe(first.requestId);
    const same = await stack.create.execute(actor, request([{ namespace: 'recipientId', value: 'nobody' }], 'delete', { dryRun: true }));
    expect(same).toMatchObject({ requestId: first.requestId, duplicate: true });
    const other = await stack.create.execute(actor, request([{ namespace: 'recipientId', value: 'nobody-else' }], 'delete', { dryRun: true }));
    expect(other.requestId).not.toBe(first.requestId);
    const notDry = await stack.create.execute(actor, request([{ namespace: 'recipientId', value: 'nobody' }]));
    expect(notDry).toMatchObject({ dryRun: false, duplicate: false });
    await db.takeOutbox();
  });

  it("follows the graph from an e-mail, history included, records hashes only, and deletes id-reconciliation's part with tombstones", async () => {
    const created = await stack.create.execute(
      actor,
      request([
        { namespace: 'email', value: ' ALICE@example.com ' },
        { namespace: 'ecid', value: PENDING_ECID },
      ]),
    );
    const fanOut = fanOutOf(await db.takeOutbox(), created.requestId);
    const { identifiers } = fanOut.data;
    expect(identifiers.recipientIds).toEqual(['alice']);
    expect(identifiers.ecids).toEqual([ALICE_ECID, SHARED_ECID, PENDING_ECID].sort());
    expect(identifiers.declaredIds).toHaveLength(1);
    expect(created.identifierHashes).toContain(identifierHash('ecid', SHARED_ECID));
    const [stored] = await db.dataSource.query(`SELECT row_to_json(r)::text AS row FROM privacy_requests r WHERE request_id = $1`, [created.requestId]);
    for (const clear of ['alice', ALICE_ECID, SHARED_ECID, PENDING_ECID, identifiers.declaredIds[0].declaredId]) expect(stored.row).not.toContain(clear);
    // The fan-out leaves the outbox as soon as it is sent.
    expect(await db.dataSource.query(`SELECT erase_once_sent FROM outbox_events WHERE event_id = $1`, [fanOut.id])).toEqual([{ erase_once_sent: true }]);

    await db.transaction((tx) => stack.requests.requested(fanOut, ctxOf(tx)));
    const records = await db.takeOutbox();
    const tombstones = records.filter((r) => r.topic === Topics.idrecIdentityLinks && r.event === null).map((r) => r.key);
    expect(tombstones.sort()).toEqual(
      // The shared ECID is one of alice's identifiers (history): it goes, bob's link to it too; bob keeps his own.
      [`${orgId}:crm/${identifiers.declaredIds[0].declaredId}`, `${orgId}:visitor/${ALICE_ECID}`, `${orgId}:visitor/${SHARED_ECID}`].sort(),
    );
    const receipt = records.find((r) => r.event?.type === EventTypes.hubPrivacyReceipt)!.event!.data;
    expect(receipt).toMatchObject({
      service: 'id-reconciliation',
      requestId: created.requestId,
      counts: { recipients: 1, declared_ids: 1, visitor_links: 2, visitor_observations: 3 },
    });

    // Nothing of alice's in clear in any table but outbox rows about to be sent, which go once sent.
    const clear = [...identifiers.recipientIds, ...identifiers.ecids, ...identifiers.declaredIds.map((d) => d.declaredId)];
    const held = await rowsHolding(db, clear);
    expect(held.filter((row) => !(row.table === 'outbox_events' && row.erase_once_sent))).toEqual([]);
    expect(await db.dataSource.query(`SELECT ecid FROM visitor_links WHERE recipient_id = 'bob'`)).toEqual([{ ecid: BOB_ECID }]);
  });

  it('is completed once every service confirmed, partial while one failed, and completed after its later success', async () => {
    const created = await stack.create.execute(actor, request([{ namespace: 'recipientId', value: 'bob' }]));
    await db.takeOutbox();
    const receipt = (service: 'ims' | 'id-reconciliation' | 'audience-import' | 'audience-export', failed = false) =>
      createEvent({
        type: EventTypes.hubPrivacyReceipt,
        source: '/tests',
        orgId,
        aggregateId: `${created.requestId}/${service}`,
        data: failed
          ? { service, requestId: created.requestId, failed: true as const, reason: 'database unavailable', failedAt: new Date().toISOString() }
          : { service, requestId: created.requestId, counts: {}, completedAt: new Date().toISOString() },
      }) as HubEventOf<'hub.privacy.receipt'>;
    const answer = (event: HubEventOf<'hub.privacy.receipt'>) => db.transaction((tx) => stack.receipts.receipt(event, ctxOf(tx)));
    await answer(receipt('ims'));
    await answer(receipt('id-reconciliation'));
    await answer(receipt('audience-import'));
    expect((await stack.get.execute(orgId, created.requestId)).status).toBe('pending');
    await answer(receipt('audience-export', true));
    const partial = await stack.get.execute(orgId, created.requestId);
    expect(partial.status).toBe('partial');
    expect(partial.receipts.find((r) => r.service === 'audience-export')).toMatchObject({ outcome: 'failed', reason: 'database unavailable' });
    await answer(receipt('audience-export'));
    expect((await stack.get.execute(orgId, created.requestId)).status).toBe('completed');
    // The fan-out's key is tombstoned on the privacy topic.
    expect((await db.takeOutbox()).filter((r) => r.topic === Topics.hubPrivacy && r.event === null).map((r) => r.key)).toEqual([partitionKeyOf(orgId, created.requestId)]);
    await expect(stack.get.execute('BBBBBBBBBBBBBBBBBBBBBBBB@AdobeOrg', created.requestId)).rejects.toMatchObject({ code: 'not-found' });
  });
});

/** Every row of every table of the schema whose text (any column) holds one of the values. */
async function rowsHolding(db: MediumSchema, values: string[]): Promise<Array<{ table: string; erase_once_sent?: boolean }>> {
  const tables: Array<{ table_name: string }> = await db.dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
    [db.schema],
  );
  const held: Array<{ table: string; erase_once_sent?: boolean }> = [];
  for (const { table_name } of tables) {
    const rows: Array<{ erase_once_sent?: boolean }> = await db.dataSource.query(
      `SELECT ${table_name === 'outbox_events' ? 'erase_once_sent' : '1 AS one'} FROM "${db.schema}"."${table_name}" t WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) v WHERE strpos(t::text, v) > 0)`,
      [values],
    );
    held.push(...rows.map((row) => ({ table: table_name, ...(table_name === 'outbox_events' ? { erase_once_sent: row.erase_once_sent } : {}) })));
  }
  return held;
}

/** The ingestion consumers (to build a graph) and the privacy use cases and consumers, wired by hand. */
function build(db: MediumSchema) {
  const ds = db.dataSource;
  const ingestion = ingestionConsumers(ds);
  const { orgs, dataSourcesRepository, audit } = ingestion;
  const privacy = new PrivacyRepository();
  return {
    ...ingestion,
    create: new CreatePrivacyRequestUseCase(ds, dataSourcesRepository, privacy, audit),
    get: new GetPrivacyRequestUseCase(ds, privacy),
    requests: new PrivacyRequestsConsumer(orgs, new ActOnPrivacyRequestUseCase(privacy, new SuppressionsRepository()), { EVENT_MAX_ATTEMPTS: 5 }),
    receipts: new PrivacyReceiptsConsumer(new RecordPrivacyReceiptUseCase(privacy)),
  };
}
