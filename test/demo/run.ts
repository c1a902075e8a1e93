/*
 * npm run demo (after npm run up): the whole exchange on the running stack, as Campaign and XC would
 * drive it, with what each side received and the match rates. It talks to the hub the way an
 * integration would: REST through @audience-hub/client, events through its HubEventProducer; it
 * only listens to Kafka to show what Campaign and XC received.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { HubApiError, HubClient, HubEventProducer, upstreamEvent } from '@audience-hub/client';
import { EventTypes, FINAL_STATES, Topics } from '@audience-hub/contracts';
import { KafkaProbe, parseEnvFile, waitFor } from '@audience-hub/testing';

const root = resolve(__dirname, '../../..');
const stack = parseEnvFile(readFileSync(resolve(root, '.infra/stack.env'), 'utf8'));
const ims = parseEnvFile(readFileSync(resolve(root, '.infra/ims.env'), 'utf8'));
const RECIPIENTS = Number(process.env.DEMO_RECIPIENTS ?? 1000);
const run = randomUUID().slice(0, 6);

const step = (text: string) => console.log(`\n▶ ${text}`);
const info = (text: string) => console.log(`  ${text}`);
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const ecidOf = (n: number, salt: number) => `${salt}${String(n).padStart(37, '0')}`.slice(0, 38);

async function main(): Promise<void> {
  step('IMS: a token for the demo technical account');
  const hub = new HubClient({ auth: { clientId: ims.IMS_BOOTSTRAP_CLIENT_ID, clientSecret: ims.IMS_BOOTSTRAP_CLIENT_SECRET } });
  const token = await hub.tokens.token();
  const orgId = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).org as string;
  info(`org ${orgId}, token fetched (and renewed before it expires) by @audience-hub/client`);
  const brokers = stack.KAFKA_BROKERS.split(',');
  const campaign = new HubEventProducer({ brokers, source: '/campaign' });
  const xcProducer = new HubEventProducer({ brokers, source: '/xc/audience-manager' });
  /** true once the call answers, false while it answers 404 (not there yet). */
  const found = <T>(call: () => Promise<T>) =>
    call().then(
      () => true,
      (error: unknown) => {
        if (error instanceof HubApiError && error.status === 404) return false;
        throw error;
      },
    );

  const probe = new KafkaProbe(brokers);
  await probe.listen([Topics.xcCampaignAudiences, Topics.campaignImports, Topics.campaignSharedAudienceResults]);

  /** Campaign's events of one type, built and checked by the client, sent in one batch. */
  const upstream = <T extends Parameters<typeof upstreamEvent>[1]['type']>(type: T, aggregateId: string, data: unknown) =>
    upstreamEvent('/campaign', { type, orgId, aggregateId, data } as never);

  step('id-reconciliation: a declared data source (hashed e-mail)');
  const dataSource = await hub.identities.createDataSource({
    name: `CRM e-mail (demo ${run})`,
    idType: 'declared',
    integrationCode: `CRM_EMAIL_${run}`,
    reconciliationKey: { attribute: 'email', normalization: ['trim', 'lowercase', 'sha256'] },
    xcDataSourceId: String(900000 + Math.floor(Math.random() * 99999)),
  });
  info(`data source ${dataSource.id} (DPID ${dataSource.xcDataSourceId})`);

  step(`Campaign publishes ${RECIPIENTS} recipients and visitor observations for 70% of them`);
  const recipients = Array.from({ length: RECIPIENTS }, (_, i) => `rcp-${run}-${i}`);
  await campaign.send(
    recipients.map((recipientId, i) =>
      upstream(EventTypes.campaignRecipientUpserted, recipientId, { recipientId, attributes: { email: ` Person${i}@Example.com `, crmId: `C-${i}` } }),
    ),
  );
  const observed = recipients.slice(0, Math.floor(RECIPIENTS * 0.7));
  await campaign.send(
    observed.map((recipientId, i) =>
      upstream(EventTypes.campaignVisitorObserved, recipientId, { recipientId, ecid: ecidOf(i, 4), observedAt: new Date().toISOString(), channel: 'web' }),
    ),
  );
  const last = recipients[observed.length - 1];
  await waitFor(
    'id-reconciliation learned them',
    async () => {
      const identities = (await hub.identities.recipientIdentities(last).catch(() => undefined)) as { visitorIds?: unknown[] } | undefined;
      return identities?.visitorIds?.length === 1;
    },
    { timeoutMs: 120_000 },
  );
  const stats = await waitFor(
    'every recipient keyed',
    async () => {
      const current = await hub.identities.stats(dataSource.id);
      return current.recipientsWithKeyValue === RECIPIENTS ? current : undefined;
    },
    { timeoutMs: 120_000 },
  );
  info(`${stats.recipientsWithKeyValue} recipients with a hashed e-mail, ${observed.length} with a visitor ID`);

  step('XC shares an audience of ECIDs (80% known to Campaign), imported into a Campaign list');
  const audienceId = `${4500000 + Math.floor(Math.random() * 99999)}`;
  await xcProducer.publish({
    type: EventTypes.xcAudiencePublished,
    orgId,
    aggregateId: audienceId,
    data: { audienceId, name: `High-value visitors ${run}`, solution: 'audience-manager', labels: ['C2'] },
  });
  await waitFor('audience in the catalog', () => found(() => hub.imports.audience(audienceId)));
  const imported = await hub.imports.create({
    audienceId,
    listLabel: `XC - High-value visitors ${run}`,
    dataSourceId: 'visitor',
    mode: 'full',
  });
  const known = Math.floor(observed.length * 0.8);
  const members = [...Array.from({ length: known }, (_, i) => ecidOf(i, 4)), ...Array.from({ length: Math.ceil(known / 4) }, (_, i) => ecidOf(i, 7))];
  const snapshotId = `snap-${run}`;
  await xcProducer.audienceMembers({ orgId, audienceId, snapshotId, mode: 'full', idType: 'visitor', added: members });
  const job = await waitFor(
    'import completed',
    async () => {
      const view = await hub.imports.get(imported.id);
      if (!FINAL_STATES.has(view.state)) process.stdout.write('.');
      return FINAL_STATES.has(view.state) ? view : undefined;
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
        const view = await hub.imports.get(imported.id);
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
  const fileImport = await hub.imports.create({
    audienceId,
    listLabel: `XC - High-value visitors by e-mail ${run}`,
    dataSourceId: dataSource.id,
    mode: 'delta',
  });
  const fileReport = await hub.imports.uploadFile(fileName, gzipSync(lines.join('\n') + '\n'));
  info(
    `file ${fileName}: ${fileReport.lines} lines, ${fileReport.applied} applied, ${fileReport.errors.length} refused (${fileReport.errors.map((e) => `line ${e.line}: ${e.reason}`).join('; ')})`,
  );
  const fileJob = await waitFor(
    'file import completed',
    async () => {
      const view = await hub.imports.get(fileImport.id);
      return view.counts.received > 0 && view.state === 'completed' ? view : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  info(`by e-mail: matched ${fileJob.counts.matched} of ${fileJob.counts.received}, match rate ${pct(fileJob.matchRate)}`);

  step('Campaign shares a list with XC ("Update shared audience")');
  const listId = `list-${run}`;
  // Half of these were seen with an ECID: the others are the run's unmapped outcome.
  const listMembers = recipients.slice(Math.floor(RECIPIENTS * 0.45), Math.floor(RECIPIENTS * 0.95));
  await campaign.publish({ type: EventTypes.campaignListCreated, orgId, aggregateId: listId, data: { listId, label: `Spring buyers ${run}` } });
  await campaign.listMembers({ orgId, listId, changeId: `demo-${run}`, added: listMembers });
  await waitFor(
    'list known to audience-export',
    async () => {
      const list = await hub.exports.campaignList(listId).catch(() => undefined);
      return list?.memberCount === listMembers.length;
    },
    { timeoutMs: 120_000 },
  );
  const shared = await hub.exports.create({ segmentName: `Campaign - Spring buyers ${run}`, dataSourceId: 'visitor' });
  const update = await hub.exports.update(shared.id, { listId, mode: 'add-only' });
  const done = await waitFor(
    'update completed',
    async () => {
      const view = await hub.exports.getUpdate(shared.id, update.id);
      return FINAL_STATES.has(view.state) ? view : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  info(
    `update ${update.id}: ${done.state}, version ${done.version}, exported ${done.counts.exported}, unmapped ${done.counts.unmapped} of ${listMembers.length} (${pct(1 - done.counts.unmapped / listMembers.length)} mapped)`,
  );
  const xc = probe.received.filter((m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === shared.id);
  info(`XC received ${xc.length} membership chunk(s) of segment ${shared.segmentId}: +${xc.reduce((n, m) => n + m.json.data.added.length, 0)} ECIDs`);
  const result = probe.received.find((m) => m.json?.type === EventTypes.campaignSharedAudienceUpdateCompleted && m.json.data.updateId === update.id);
  info(`Campaign received the activity's outcome: ${result ? `exported ${result.json.data.exported}, unmapped ${result.json.data.unmapped}` : 'not yet'}`);

  await Promise.all([probe.close(), campaign.close(), xcProducer.close()]);
  console.log("\nDone. Everything above went through Kafka and the services' REST APIs, authenticated by IMS.");
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
