/*
 * npm run demo (after npm run up): the whole exchange on the running stack, as Campaign and XC would
 * drive it, with what each side received and the match rates.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createEvent, EventTypes, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { KafkaProbe, parseEnvFile, waitFor } from '@audience-hub/testing';

const root = resolve(__dirname, '../../..');
const stack = parseEnvFile(readFileSync(resolve(root, '.infra/stack.env'), 'utf8'));
const ims = parseEnvFile(readFileSync(resolve(root, '.infra/ims.env'), 'utf8'));
const URLS = { ims: 'http://127.0.0.1:3000', idrec: 'http://127.0.0.1:3001', import: 'http://127.0.0.1:3002', export: 'http://127.0.0.1:3003' };
const RECIPIENTS = Number(process.env.DEMO_RECIPIENTS ?? 1000);
const run = randomUUID().slice(0, 6);

const step = (text: string) => console.log(`\n▶ ${text}`);
const info = (text: string) => console.log(`  ${text}`);
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const ecidOf = (n: number, salt: number) => `${salt}${String(n).padStart(37, '0')}`.slice(0, 38);

async function main(): Promise<void> {
  step('IMS: a token for the demo technical account');
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: ims.IMS_BOOTSTRAP_CLIENT_ID, client_secret: ims.IMS_BOOTSTRAP_CLIENT_SECRET });
  const tokenAnswer = (await (await fetch(`${URLS.ims}/ims/token/v3`, { method: 'POST', body: form })).json()) as { access_token: string; expires_in: number };
  const token = tokenAnswer.access_token;
  const orgId = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).org as string;
  info(`org ${orgId}, token valid ${tokenAnswer.expires_in} s`);
  const api = async <T>(method: string, url: string, body?: unknown, raw?: { body: Buffer; contentType: string }): Promise<T> => {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': raw?.contentType ?? 'application/json' },
      body: raw ? raw.body : body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  const probe = new KafkaProbe(stack.KAFKA_BROKERS.split(','));
  await probe.listen([Topics.xcCampaignAudiences, Topics.campaignImports, Topics.campaignSharedAudienceResults]);
  const campaign = (type: AnyHubEvent['type'], aggregateId: string, data: unknown) =>
    createEvent({ type, source: '/campaign', orgId, aggregateId, data } as never) as AnyHubEvent;

  step('id-reconciliation: a declared data source (hashed e-mail)');
  const dataSource = await api<{ id: string; xcDataSourceId: string }>('POST', `${URLS.idrec}/v1/data-sources`, {
    name: `CRM e-mail (demo ${run})`,
    idType: 'declared',
    integrationCode: `CRM_EMAIL_${run}`,
    reconciliationKey: { attribute: 'email', normalization: ['trim', 'lowercase', 'sha256'] },
    xcDataSourceId: String(900000 + Math.floor(Math.random() * 99999)),
  });
  info(`data source ${dataSource.id} (DPID ${dataSource.xcDataSourceId})`);

  step(`Campaign publishes ${RECIPIENTS} recipients and visitor observations for 70% of them`);
  const recipients = Array.from({ length: RECIPIENTS }, (_, i) => `rcp-${run}-${i}`);
  await probe.publish(
    Topics.campaignRecipients,
    recipients.map((recipientId, i) => campaign(EventTypes.campaignRecipientUpserted, recipientId, { recipientId, attributes: { email: ` Person${i}@Example.com `, crmId: `C-${i}` } })),
  );
  const observed = recipients.slice(0, Math.floor(RECIPIENTS * 0.7));
  await probe.publish(
    Topics.campaignVisitorObservations,
    observed.map((recipientId, i) => campaign(EventTypes.campaignVisitorObserved, recipientId, { recipientId, ecid: ecidOf(i, 4), observedAt: new Date().toISOString(), channel: 'web' })),
  );
  const last = recipients[observed.length - 1];
  await waitFor('id-reconciliation learned them', async () => {
    const answer = await fetch(`${URLS.idrec}/v1/recipients/${last}/identities`, { headers: { authorization: `Bearer ${token}` } });
    return answer.status === 200 && ((await answer.json()) as { visitorIds: unknown[] }).visitorIds.length === 1;
  }, { timeoutMs: 120_000 });
  const stats = await waitFor('every recipient keyed', async () => {
    const current = await api<{ recipientsWithKeyValue: number }>('GET', `${URLS.idrec}/v1/data-sources/${dataSource.id}/stats`);
    return current.recipientsWithKeyValue === RECIPIENTS ? current : undefined;
  }, { timeoutMs: 120_000 });
  info(`${stats.recipientsWithKeyValue} recipients with a hashed e-mail, ${observed.length} with a visitor ID`);

  step('XC shares an audience of ECIDs (80% known to Campaign), imported into a Campaign list');
  const audienceId = `${4500000 + Math.floor(Math.random() * 99999)}`;
  await probe.publish(Topics.xcAudiences, [
    campaign(EventTypes.xcAudiencePublished, audienceId, { audienceId, name: `High-value visitors ${run}`, solution: 'audience-manager', labels: ['C2'] }),
  ]);
  await waitFor('audience in the catalog', async () => (await fetch(`${URLS.import}/v1/xc-audiences/${audienceId}`, { headers: { authorization: `Bearer ${token}` } })).status === 200);
  const imported = await api<{ id: string; listId: string }>('POST', `${URLS.import}/v1/imports`, {
    audienceId,
    listLabel: `XC - High-value visitors ${run}`,
    dataSourceId: 'visitor',
    mode: 'full',
  });
  const known = Math.floor(observed.length * 0.8);
  const members = [...Array.from({ length: known }, (_, i) => ecidOf(i, 4)), ...Array.from({ length: Math.ceil(known / 4) }, (_, i) => ecidOf(i, 7))];
  const snapshotId = `snap-${run}`;
  await probe.publish(Topics.xcAudiences, [
    campaign(EventTypes.xcAudienceMembers, audienceId, { audienceId, snapshotId, mode: 'full', idType: 'visitor', part: 0, lastPart: true, added: members, removed: [] }),
  ]);
  const job = await waitFor(
    'import completed',
    async () => {
      const view = await api<{ state: string; counts: Record<string, number>; matchRate: number; listId: string }>('GET', `${URLS.import}/v1/imports/${imported.id}`);
      if (view.state === 'running' || view.state === 'pending') process.stdout.write('.');
      return view.state === 'completed' || view.state === 'failed' || view.state === 'denied' ? view : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  info(`import ${imported.id}: ${job.state}, list ${job.listId}`);
  info(`received ${job.counts.received}, matched ${job.counts.matched}, unmatched (kept pending) ${job.counts.unmatched}, match rate ${pct(job.matchRate)}`);
  if (job.state === 'completed' && job.counts.matched < known) {
    // Links id-reconciliation made that had not reached audience-import's replica yet: they join the list as they arrive.
    const settled = await waitFor(
      'late links applied',
      async () => {
        const view = await api<{ counts: Record<string, number>; matchRate: number; lateMatched?: number }>('GET', `${URLS.import}/v1/imports/${imported.id}`);
        return view.counts.matched >= known ? view : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    info(`after late links: matched ${settled.counts.matched}, pending ${settled.counts.pending}, match rate ${pct(settled.matchRate)}`);
    job.counts = settled.counts;
  }
  const changes = await waitFor('Campaign received the list changes', () => {
    const chunks = probe.received.filter((m) => m.json?.type === EventTypes.campaignImportedListMembersChanged && m.json.data.listId === job.listId);
    return chunks.reduce((n, m) => n + m.json.data.added.length, 0) >= job.counts.matched ? chunks : undefined;
  });
  info(`Campaign received ${changes.length} membership chunk(s): +${changes.reduce((n, m) => n + m.json.data.added.length, 0)} recipients`);

  step('XC sends an Audience Manager outbound file of hashed e-mails for the same audience');
  const lines = recipients.slice(0, 300).map((_, i) => `${sha(`person${i}@example.com`)} ${audienceId} `);
  lines.push('not:a:valid:line here');
  const fileName = `S3_1234_${dataSource.xcDataSourceId}_demo_iter_${Date.now()}-1.sync.gz`;
  const fileImport = await api<{ id: string }>('POST', `${URLS.import}/v1/imports`, {
    audienceId,
    listLabel: `XC - High-value visitors by e-mail ${run}`,
    dataSourceId: dataSource.id,
    mode: 'delta',
  });
  const fileReport = await api<{ lines: number; applied: number; errors: Array<{ line: number; reason: string }> }>(
    'POST',
    `${URLS.import}/v1/files?name=${encodeURIComponent(fileName)}`,
    undefined,
    { body: gzipSync(lines.join('\n') + '\n'), contentType: 'application/octet-stream' },
  );
  info(`file ${fileName}: ${fileReport.lines} lines, ${fileReport.applied} applied, ${fileReport.errors.length} refused (${fileReport.errors.map((e) => `line ${e.line}: ${e.reason}`).join('; ')})`);
  const fileJob = await waitFor('file import completed', async () => {
    const view = await api<{ state: string; counts: Record<string, number>; matchRate: number }>('GET', `${URLS.import}/v1/imports/${fileImport.id}`);
    return view.counts.received > 0 && view.state === 'completed' ? view : undefined;
  }, { timeoutMs: 120_000, intervalMs: 250 });
  info(`by e-mail: matched ${fileJob.counts.matched} of ${fileJob.counts.received}, match rate ${pct(fileJob.matchRate)}`);

  step('Campaign shares a list with XC ("Update shared audience")');
  const listId = `list-${run}`;
  // Half of these were seen with an ECID: the others are the run's unmapped outcome.
  const listMembers = recipients.slice(Math.floor(RECIPIENTS * 0.45), Math.floor(RECIPIENTS * 0.95));
  await probe.publish(Topics.campaignLists, [
    campaign(EventTypes.campaignListCreated, listId, { listId, label: `Spring buyers ${run}` }),
    campaign(EventTypes.campaignListMembersAdded, listId, { listId, recipientIds: listMembers }),
  ]);
  await waitFor('list known to audience-export', async () => {
    const answer = await fetch(`${URLS.export}/v1/lists/${listId}`, { headers: { authorization: `Bearer ${token}` } });
    return answer.status === 200 && ((await answer.json()) as { memberCount: number }).memberCount === listMembers.length;
  }, { timeoutMs: 120_000 });
  const shared = await api<{ id: string; segmentId: number }>('POST', `${URLS.export}/v1/shared-audiences`, { segmentName: `Campaign - Spring buyers ${run}`, dataSourceId: 'visitor' });
  const update = await api<{ id: string }>('POST', `${URLS.export}/v1/shared-audiences/${shared.id}/updates`, { listId, mode: 'add-only' });
  const done = await waitFor('update completed', async () => {
    const view = await api<{ state: string; version: number; counts: Record<string, number> }>('GET', `${URLS.export}/v1/shared-audiences/${shared.id}/updates/${update.id}`);
    return ['completed', 'failed', 'denied'].includes(view.state) ? view : undefined;
  }, { timeoutMs: 120_000, intervalMs: 250 });
  info(`update ${update.id}: ${done.state}, version ${done.version}, exported ${done.counts.exported}, unmapped ${done.counts.unmapped} of ${listMembers.length} (${pct(1 - done.counts.unmapped / listMembers.length)} mapped)`);
  const xc = probe.received.filter((m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === shared.id);
  info(`XC received ${xc.length} membership chunk(s) of segment ${shared.segmentId}: +${xc.reduce((n, m) => n + m.json.data.added.length, 0)} ECIDs`);
  const result = probe.received.find((m) => m.json?.type === EventTypes.campaignSharedAudienceUpdateCompleted && m.json.data.updateId === update.id);
  info(`Campaign received the activity's outcome: ${result ? `exported ${result.json.data.exported}, unmapped ${result.json.data.unmapped}` : 'not yet'}`);

  await probe.close();
  console.log('\nDone. Everything above went through Kafka and the services\' REST APIs, authenticated by IMS.');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
