import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createEvent, EventTypes, Topics } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';
import { report, type BenchEnv, type Measurement } from './bench-env';
import { membersEvents } from './export.bench';
import { asTestEnv, copy, createFullImport, ecid, loadVisitorLinks, recipient, seconds, snapshotChunks, textChunks } from './import.bench';

const RECIPIENTS = Number(process.env.BENCH_PRIVACY_RECIPIENTS ?? 1_000_000);
const SUBJECTS = Math.min(Number(process.env.BENCH_PRIVACY_SUBJECTS ?? 1_000), RECIPIENTS);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';
const source = '/bench';

/**
 * A privacy delete of SUBJECTS recipients (by recipient id) from a stack holding RECIPIENTS
 * recipients, each with an ECID: IMS, id-reconciliation, audience-import and audience-export as
 * processes. The ECIDs of all of them were imported as an XC audience (a list of RECIPIENTS
 * members) and all of them, in a Campaign list, were exported as a shared audience. The clock
 * runs from the POST until the request is `completed` (every service's receipt). Baseline, same
 * run: the rows each service deletes, as plain `DELETE ... WHERE id = ANY` statements in each
 * schema (one transaction, rolled back).
 *
 * Seeding: the import, the list and the export run through the real services (their tables and
 * outboxes are what the services hold after those flows: each relay deletes what it sent).
 * id-reconciliation's graph is copied in, as the import benchmark does (ingesting
 * it is the ingest benchmark's subject): per recipient i a row of idrec.recipients, the visitor
 * link ecid(i) -> rcp-i and its observation, the same link in both replicas (what the changelog
 * brings them). The changelog records the links made are sent, and so gone from idrec's outbox.
 */
export async function privacyBench(env: BenchEnv): Promise<Record<string, unknown>> {
  const testEnv = asTestEnv(env);
  const admin = new Client({ connectionString: env.databaseUrl });
  await admin.connect();
  const probe = new KafkaProbe(env.kafkaBrokers);
  const ims = await ImsTestClient.start(testEnv);
  const sinkDir = mkdtempSync(join(tmpdir(), 'bench-privacy-'));
  const services: RunningService[] = [];
  try {
    const launched = await Promise.all([
      launchService('id-reconciliation', testEnv.serviceEnv('id-reconciliation', { ...ims.trustEnv, LOG_LEVEL })),
      launchService('audience-import', testEnv.serviceEnv('audience-import', { ...ims.trustEnv, LOG_LEVEL })),
      launchService('audience-export', testEnv.serviceEnv('audience-export', { ...ims.trustEnv, LOG_LEVEL, EXPORT_FILE_SINK_DIR: sinkDir })),
    ]);
    services.push(...launched);
    const [idrec, importer, exporter] = launched;
    const tenant = await ims.tenant(['audiences.read', 'audiences.write', 'identities.read', 'identities.write', 'privacy.read', 'privacy.write'], 'privacy bench');
    const orgId = tenant.orgId;
    await probe.listen([Topics.campaignImports]);
    await probe.publish(Topics.imsEvents, [
      createEvent({ type: EventTypes.imsOrgCreated, source, orgId, aggregateId: orgId, data: { orgId, name: 'Bench', createdAt: new Date().toISOString() } }),
    ]);
    await waitFor('org known to every service', async () => {
      const { rows } = await admin.query(
        `SELECT (SELECT count(*) FROM idrec.orgs WHERE org_id = $1) + (SELECT count(*) FROM audience_import.known_orgs WHERE org_id = $1)
              + (SELECT count(*) FROM audience_export.known_orgs WHERE org_id = $1) AS n`,
        [orgId],
      );
      return Number(rows[0].n) === 3;
    });

    const seedStarted = Date.now();
    await seedGraph(admin, orgId);
    progress(`graph of ${RECIPIENTS} recipients copied in ${elapsed(seedStarted)}`);

    // The import: XC's snapshot of every ECID, through audience-import.
    const importId = await createFullImport(probe, importer, tenant, '900100');
    for (const chunk of snapshotChunks(orgId, '900100', 0, RECIPIENTS)) await probe.publish(Topics.xcAudiences, [chunk]);
    await probe.waitFor('import completed', (m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === importId, 1, 900_000);
    progress(`import of ${RECIPIENTS} members done after ${elapsed(seedStarted)}`);

    // The export: a Campaign list of every recipient, shared with XC on the ECIDs, through audience-export.
    const audience = await waitFor('visitor data source known to audience-export', async () => {
      const answer = await call(exporter, tenant, 'POST', '/v1/shared-audiences', { segmentName: 'Bench audience', dataSourceId: 'visitor' });
      return answer.status === 201 ? (answer.body as { id: string }) : undefined;
    });
    const listId = 'bench-privacy-list';
    await probe.publish(Topics.campaignLists, [createEvent({ type: EventTypes.campaignListCreated, source, orgId, aggregateId: listId, data: { listId, label: 'bench' } })]);
    for (let first = 0; first < RECIPIENTS; first += 100_000)
      await probe.publish(Topics.campaignLists, membersEvents(EventTypes.campaignListMembersAdded, orgId, listId, first, Math.min(first + 100_000, RECIPIENTS), recipient));
    await waitFor('list stored', async () => (await count(admin, `audience_export.campaign_list_members WHERE org_id = $1 AND list_id = $2`, [orgId, listId])) === RECIPIENTS, {
      timeoutMs: 900_000,
      intervalMs: 500,
    });
    const update = await call(exporter, tenant, 'POST', `/v1/shared-audiences/${audience.id}/updates`, { listId, mode: 'add-only' });
    if (update.status !== 202) throw new Error(`update: ${update.status} ${JSON.stringify(update.body)}`);
    const updateId = (update.body as { id: string }).id;
    await waitFor('exported', async () => (await call(exporter, tenant, 'GET', `/v1/shared-audiences/${audience.id}/updates/${updateId}`)).body?.state === 'completed', {
      timeoutMs: 900_000,
      intervalMs: 250,
    });
    const audienceNo = (await admin.query(`SELECT audience_no FROM audience_export.shared_audiences WHERE org_id = $1 AND shared_audience_id = $2`, [orgId, audience.id])).rows[0]
      .audience_no as number;
    // Every relay has sent what the flows enqueued: the outboxes hold what they hold between requests.
    await waitFor('outboxes sent', async () => (await count(admin, unsentOutboxRows())) === 0, { timeoutMs: 300_000, intervalMs: 250 });
    await admin.query(`VACUUM ANALYZE`);
    const outboxRows = await count(admin, allOutboxRows());
    progress(`stack seeded in ${elapsed(seedStarted)}; ${outboxRows} outbox rows`);

    const subjects = Array.from({ length: SUBJECTS }, (_, k) => Math.floor((k * RECIPIENTS) / SUBJECTS));
    const recipientIds = subjects.map(recipient);
    const ecids = subjects.map(ecid);

    // Baseline: the same rows, deleted by plain statements in each schema, rolled back.
    const baselineSeconds = await sqlDeletes(admin, { orgId, importId, listId, audienceNo, recipientIds, ecids });

    const started = process.hrtime.bigint();
    const accepted = await call(idrec, tenant, 'POST', '/v1/privacy/requests', {
      regulation: 'gdpr',
      type: 'delete',
      subjects: recipientIds.map((value) => ({ namespace: 'recipientId', value })),
    });
    if (accepted.status !== 202) throw new Error(`privacy request: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    const requestId = (accepted.body as { requestId: string }).requestId;
    const done = await waitFor(
      'privacy request completed',
      async () => {
        const answer = (await call(idrec, tenant, 'GET', `/v1/privacy/requests/${requestId}`)).body as PrivacyAnswer;
        return answer?.status === 'pending' ? undefined : answer;
      },
      // Not tighter: each answer carries the request's 2,000 identifier hashes, and id-reconciliation is at work.
      { timeoutMs: 600_000, intervalMs: 50 },
    );
    const requestSeconds = seconds(started);
    if (done.status !== 'completed') throw new Error(`request ${done.status}: ${JSON.stringify(done.receipts)}`);

    const requestedAt = Date.parse(done.requestedAt);
    const receipts = done.receipts.map((r) => `${r.service} ${((Date.parse(r.receivedAt) - requestedAt) / 1000).toFixed(2)} s`).join(', ');
    const counts = Object.fromEntries(done.receipts.map((r) => [r.service, r.counts]));
    const subject: Measurement = { name: 'POST -> completed (every receipt)', count: SUBJECTS, unit: 'subjects', seconds: requestSeconds };
    const baseline: Measurement = { name: 'plain DELETE ... = ANY of the same rows', count: SUBJECTS, unit: 'subjects', seconds: baselineSeconds };
    return report(
      `privacy: delete of ${SUBJECTS.toLocaleString('en-US')} subjects from ${RECIPIENTS.toLocaleString('en-US')} recipients, an imported list and an exported audience (target <= 5 s)`,
      subject,
      baseline,
      {
        'the request itself: requested -> finished': `${((Date.parse(done.finishedAt) - requestedAt) / 1000).toFixed(2)} s`,
        'receipts recorded after': receipts,
        'rows deleted per service and table': JSON.stringify(counts),
        'outbox rows held before the request': outboxRows,
        'seeding took (not measured)': elapsed(seedStarted),
      },
    );
  } catch (error) {
    for (const service of services) console.error(`--- ${service.name} output (tail) ---\n${service.output().slice(-4000)}`);
    throw error;
  } finally {
    if (process.env.BENCH_VERBOSE) for (const service of services) console.log(`--- ${service.name} output ---\n${service.output().slice(-12_000)}`);
    await Promise.all(services.map((service) => service.stop()));
    await ims.stop();
    await probe.close();
    await admin.end();
    rmSync(sinkDir, { recursive: true, force: true });
  }
}

interface PrivacyAnswer {
  status: string;
  requestedAt: string;
  finishedAt: string;
  receipts: Array<{ service: string; receivedAt: string; counts?: Record<string, number> }>;
}

/**
 * id-reconciliation's graph and both replicas, copied in: see privacyBench. The visitor links
 * (idrec and audience-import's replica) are the import benchmark's fixture.
 */
async function seedGraph(admin: Client, orgId: string): Promise<void> {
  await copy(
    admin,
    'idrec.recipients (org_id, recipient_id, attributes)',
    textChunks((i) => `${orgId}\t${recipient(i)}\t{"city": "Basel"}\n`, RECIPIENTS),
  );
  await loadVisitorLinks(admin, orgId, RECIPIENTS);
  await copy(
    admin,
    'idrec.visitor_observations (org_id, ecid, recipient_id, observed_at, channel)',
    textChunks((i) => `${orgId}\t${ecid(i)}\t${recipient(i)}\t2024-01-01T00:00:00Z\tweb\n`, RECIPIENTS),
  );
  await copy(
    admin,
    'audience_export.identity_links (org_id, data_source_id, xc_id, recipient_id, observed_at)',
    textChunks((i) => `${orgId}\tvisitor\t${ecid(i)}\t${recipient(i)}\t2024-01-01T00:00:00Z\n`, RECIPIENTS),
  );
}

const SCHEMAS = ['idrec', 'audience_import', 'audience_export'];
const allOutboxRows = () => SCHEMAS.map((schema) => `(SELECT count(*) FROM ${schema}.outbox_events)`).join(' + ');
const unsentOutboxRows = () => SCHEMAS.map((schema) => `(SELECT count(*) FROM ${schema}.outbox_events WHERE sent_at IS NULL)`).join(' + ');

async function count(admin: Client, what: string, params: unknown[] = []): Promise<number> {
  const sql = what.includes('SELECT') ? `SELECT ${what} AS n` : `SELECT count(*) AS n FROM ${what}`;
  return Number((await admin.query(sql, params)).rows[0].n);
}

/** The rows the services delete for these subjects, as plain statements, timed, then rolled back. */
async function sqlDeletes(admin: Client, ids: { orgId: string; importId: string; listId: string; audienceNo: number; recipientIds: string[]; ecids: string[] }): Promise<number> {
  const { orgId, recipientIds, ecids } = ids;
  const statements: Array<[string, unknown[]]> = [
    [`DELETE FROM idrec.visitor_observations WHERE org_id = $1 AND ecid = ANY($2::text[])`, [orgId, ecids]],
    [`DELETE FROM idrec.visitor_links WHERE org_id = $1 AND ecid = ANY($2::text[])`, [orgId, ecids]],
    [`DELETE FROM idrec.recipients WHERE org_id = $1 AND recipient_id = ANY($2::text[])`, [orgId, recipientIds]],
    [
      `DELETE FROM audience_import.import_members WHERE run_id = (SELECT members_run FROM audience_import.imports WHERE import_id = $1) AND xc_id = ANY($2::text[])`,
      [ids.importId, ecids],
    ],
    [`DELETE FROM audience_import.identity_links WHERE org_id = $1 AND data_source_id = 'visitor' AND xc_id = ANY($2::text[])`, [orgId, ecids]],
    [`DELETE FROM audience_export.exported_members WHERE audience_no = $1 AND xc_id = ANY($2::text[])`, [ids.audienceNo, ecids]],
    [`DELETE FROM audience_export.campaign_list_members WHERE org_id = $1 AND list_id = $2 AND recipient_id = ANY($3::text[])`, [orgId, ids.listId, recipientIds]],
    [`DELETE FROM audience_export.identity_links WHERE org_id = $1 AND data_source_id = 'visitor' AND xc_id = ANY($2::text[])`, [orgId, ecids]],
  ];
  await admin.query('BEGIN');
  try {
    const started = process.hrtime.bigint();
    for (const [sql, params] of statements) {
      const { rowCount } = await admin.query(sql, params);
      if (rowCount !== ecids.length) throw new Error(`baseline: ${sql} deleted ${rowCount} rows, not ${ecids.length}`);
    }
    return seconds(started);
  } finally {
    await admin.query('ROLLBACK');
  }
}

async function call(service: RunningService, tenant: Tenant, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { ...tenant.auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** BENCH_VERBOSE=1: where the benchmark is, as it goes. */
function progress(line: string): void {
  if (process.env.BENCH_VERBOSE) console.error(`[privacy ${new Date().toISOString().slice(11, 23)}] ${line}`);
}
