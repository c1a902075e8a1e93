import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEvent, EventTypes, Topics } from '@audience-hub/contracts';
import { HubClient, HubEventProducer } from '@audience-hub/client';
import { KafkaProbe, launchStack, newEcid, newId, REPO_ROOT, testEnv, waitFor, type ImsTestClient, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();
const HUB = resolve(REPO_ROOT, 'dist/apps/cli/src/main.js');

interface HubRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, for --json runs. */
  json: any;
}

/**
 * `hub`, the operator CLI, against the real stack: the four services as processes, the CLI as a
 * process of its own (as an operator runs it), XC and Campaign events sent with the client's
 * event producer. Covers every command, its --json output and its exit codes, and runs
 * `hub import watch` in a pseudo-terminal (tmux) to see the bar advance to 100%.
 */
describe('hub CLI end to end', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const producer = new HubEventProducer({ brokers: env.kafkaBrokers, source: '/e2e', topicPrefix: process.env.KAFKA_TOPIC_PREFIX });
  const home = mkdtempSync(join(tmpdir(), 'hub-cli-e2e-'));
  let ims: ImsTestClient;
  let idrec: RunningService;
  let importer: RunningService;
  let exporter: RunningService;
  let tenant: Tenant;
  let client: HubClient;
  let hubEnv: Record<string, string>;

  /** Runs `hub args` with the stack's URLs and this test's config home; never throws on a non-zero exit. */
  const hub = (args: string[], extraEnv: Record<string, string> = {}): Promise<HubRun> =>
    new Promise((done) => {
      execFile(process.execPath, [HUB, ...args], { env: { ...hubEnv, ...extraEnv }, timeout: 120_000 }, (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        let json: unknown;
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
        done({ code: typeof code === 'number' ? code : 1, stdout, stderr, json });
      });
    });
  const ok = async (args: string[], extraEnv?: Record<string, string>): Promise<HubRun> => {
    const run = await hub(args, extraEnv);
    if (run.code !== 0) throw new Error(`hub ${args.join(' ')} exited ${run.code}: ${run.stderr}${run.stdout}`);
    return run;
  };

  /** `hub login` as the tenant: each test logs in, so any one of them runs alone. */
  const login = () => ok(['login'], { HUB_CLIENT_ID: tenant.clientId, HUB_CLIENT_SECRET: tenant.clientSecret });

  /** Visitors Campaign observed, resolvable through id-reconciliation and audience-import's replica. */
  async function visitors(count: number): Promise<Array<{ ecid: string; recipientId: string }>> {
    const pairs = Array.from({ length: count }, () => ({ ecid: newEcid(), recipientId: newId('rcp') }));
    for (const { ecid, recipientId } of pairs) {
      await producer.publish({
        type: EventTypes.campaignVisitorObserved,
        orgId: tenant.orgId,
        aggregateId: recipientId,
        data: { recipientId, ecid, observedAt: new Date().toISOString(), channel: 'web' },
      });
    }
    await waitFor(
      'visitors resolvable',
      async () => (await client.identities.resolve({ dataSourceId: 'visitor', direction: 'to-recipients', ids: pairs.map((p) => p.ecid) })).matched.length === count,
    );
    return pairs;
  }

  /** An audience XC shares, catalogued by audience-import. */
  async function publishedAudience(labels: Array<'C2' | 'C3'> = ['C2']): Promise<string> {
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    await producer.publish({
      type: EventTypes.xcAudiencePublished,
      orgId: tenant.orgId,
      aggregateId: audienceId,
      data: { audienceId, name: `Segment ${audienceId}`, solution: 'audience-manager', labels },
    });
    await waitFor('audience catalogued', () =>
      client.imports.audience(audienceId).then(
        () => true,
        () => false,
      ),
    );
    return audienceId;
  }

  beforeAll(async () => {
    ({ ims, idrec, importer, exporter } = await launchStack(env, { services: ['id-reconciliation', 'audience-import', 'audience-export'] }));
    tenant = await ims.tenant(['audiences.read', 'audiences.write', 'policies.write', 'identities.read', 'identities.write', 'dead-letters.manage', 'audit.read']);
    await probe.publish(Topics.imsEvents, [
      createEvent({
        type: EventTypes.imsOrgCreated,
        source: '/e2e',
        orgId: tenant.orgId,
        aggregateId: tenant.orgId,
        data: { orgId: tenant.orgId, name: 'Org', createdAt: new Date().toISOString() },
      }),
    ]);
    client = new HubClient({ urls: { ims: ims.url, idReconciliation: idrec.url, audienceImport: importer.url, audienceExport: exporter.url }, auth: { token: tenant.token } });
    hubEnv = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      XDG_CONFIG_HOME: join(home, 'config'),
      HUB_IMS_URL: ims.url,
      HUB_IDREC_URL: idrec.url,
      HUB_IMPORT_URL: importer.url,
      HUB_EXPORT_URL: exporter.url,
    };
  });

  afterAll(async () => {
    await producer.close();
    await Promise.all([exporter?.stop(), importer?.stop(), idrec?.stop()]);
    await ims?.stop();
    await probe.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('logs in with client credentials, caching only the token (0600); bad credentials and no login exit 4, bad usage 2', async () => {
    expect((await hub(['audiences', 'ls'])).code).toBe(4);
    const refused = await hub(['--json', 'login'], { HUB_CLIENT_ID: tenant.clientId, HUB_CLIENT_SECRET: 'wrong' });
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stderr)).toMatchObject({ exitCode: 4, error: { status: 401 } });
    expect((await hub(['import', 'start', '--audience', '1'])).code).toBe(2);
    expect((await hub(['no-such-command'])).code).toBe(2);

    const login = await ok(['--json', 'login'], { HUB_CLIENT_ID: tenant.clientId, HUB_CLIENT_SECRET: tenant.clientSecret });
    const file = join(home, 'config', 'audience-hub', 'token.json');
    expect(login.json).toMatchObject({ clientId: tenant.clientId, imsUrl: ims.url, tokenFile: file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const cached = readFileSync(file, 'utf8');
    expect(cached).not.toContain(tenant.clientSecret);
    expect(JSON.parse(cached)).toMatchObject({ clientId: tenant.clientId, accessToken: expect.any(String) });
    // From here on, commands run on the cached token alone.
    expect((await ok(['--json', 'audiences', 'ls'])).json).toEqual({ items: [], nextCursor: null });

    // A token without policies.write is refused a policy change: exit 4.
    await ok(['login', '--scope', 'audiences.read'], { HUB_CLIENT_ID: tenant.clientId, HUB_CLIENT_SECRET: tenant.clientSecret });
    expect((await hub(['policies', 'set', 'import-into-campaign=C3,C12'])).code).toBe(4);
    expect((await hub(['dlq', 'ls', '--service', 'audience-import'])).code).toBe(4);
    await ok(['login', '--client-id', tenant.clientId, '--client-secret', tenant.clientSecret]);

    expect((await ok(['completion', 'bash'])).stdout).toContain('complete -F _hub_complete hub');

    // The single built file (npm run build:cli) runs anywhere, with nothing of the workspace beside it.
    const alone = mkdtempSync(join(tmpdir(), 'hub-alone-'));
    copyFileSync(resolve(REPO_ROOT, 'dist/hub.js'), join(alone, 'hub.js'));
    const bundled = await new Promise<{ code: number; stdout: string }>((done) =>
      execFile(process.execPath, [join(alone, 'hub.js'), '--json', 'audiences', 'ls'], { cwd: alone, env: hubEnv, timeout: 60_000 }, (error, stdout) =>
        done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
      ),
    );
    rmSync(alone, { recursive: true, force: true });
    expect(bundled).toMatchObject({ code: 0 });
    expect(JSON.parse(bundled.stdout)).toEqual({ items: [], nextCursor: null });
  });

  it('creates, lists, shows and counts data sources, and resolves ids both ways', async () => {
    await login();
    const created = await ok([
      '--json',
      'data-sources',
      'create',
      '--id',
      'crm',
      '--name',
      'CRM id',
      '--integration-code',
      'CRMID',
      '--attribute',
      'crmId',
      '--normalize',
      'trim,lowercase',
      '--xc-data-source-id',
      '163447',
    ]);
    expect(created.json).toMatchObject({ id: 'crm', idType: 'declared', reconciliationKey: { attribute: 'crmId', normalization: ['trim', 'lowercase'] } });
    expect((await ok(['--json', 'data-sources', 'ls'])).json.items.map((ds: { id: string }) => ds.id)).toEqual(expect.arrayContaining(['crm', 'visitor']));
    expect((await ok(['--json', 'data-sources', 'show', 'crm'])).json).toMatchObject({ id: 'crm', xcDataSourceId: '163447' });
    expect((await ok(['data-sources', 'ls'])).stdout).toMatch(/^id\s+name\s+idType/);

    const [person] = await visitors(1);
    const unknown = newEcid();
    const resolved = await ok(['--json', 'resolve', '--data-source', 'visitor', person.ecid, unknown]);
    expect(resolved.json).toEqual({ matched: [{ id: person.ecid, recipientId: person.recipientId }], unmatched: [unknown] });
    const back = await ok(['--json', 'resolve', '--data-source', 'visitor', '--to-xc', person.recipientId]);
    expect(back.json.matched).toEqual([{ id: person.ecid, recipientId: person.recipientId }]);
    expect((await ok(['resolve', '--data-source', 'visitor', person.ecid])).stdout).toContain(`${person.ecid} -> ${person.recipientId}`);
    expect((await hub(['resolve', '--data-source', 'visitor', 'not-an-ecid'])).code).toBe(2);

    expect((await ok(['--json', 'data-sources', 'stats', 'visitor'])).json).toMatchObject({ dataSourceId: 'visitor', recipientsWithVisitorLink: expect.any(Number) });
  });

  it('shows the catalog, sets policies (a denied import exits 3), imports a file with its line errors, and lists the members', async () => {
    await login();
    const people = await visitors(3);
    const audienceId = await publishedAudience(['C2']);
    const catalog = await ok(['--json', 'audiences', 'ls', '--all']);
    expect(catalog.json.items.map((a: { audienceId: string }) => a.audienceId)).toContain(audienceId);
    expect((await ok(['--json', 'audiences', 'show', audienceId])).json).toMatchObject({ audienceId, labels: ['C2'] });

    expect((await ok(['--json', 'policies', 'get'])).json).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'import-into-campaign', source: 'default' })]));
    expect((await hub(['policies', 'set', 'import-into-campaign=C99'])).code).toBe(2);
    await ok(['policies', 'set', 'import-into-campaign=C2']);
    const denied = await hub(['--json', 'import', 'start', '--audience', audienceId, '--data-source', 'visitor', '--label', 'Denied']);
    expect(denied.code).toBe(3);
    expect(denied.json).toMatchObject({ state: 'denied', decision: { allowed: false } });
    const restored = await ok(['--json', 'policies', 'set', 'import-into-campaign=C3,C12']);
    expect(restored.json).toEqual(expect.arrayContaining([{ action: 'import-into-campaign', deniedLabels: ['C3', 'C12'], source: 'org' }]));

    const started = await ok(['--json', 'import', 'start', '--audience', audienceId, '--data-source', 'visitor', '--label', 'From the CLI']);
    expect(started.json).toMatchObject({ state: 'pending', audienceId });
    const { id: importId, listId } = started.json;

    const aam = join(home, `S3_1234_0_acme_full_${Date.now()}-0.sync`);
    // Two bad lines in 202 stay under the 1% error ratio; 197 visitors nobody knows stay unmatched.
    const strangers = Array.from({ length: 197 }, () => `${newEcid()} ${audienceId}`);
    writeFileSync(aam, [...people.map((p) => `${p.ecid} ${audienceId}`), 'not a line', `12345 ${audienceId}`, ...strangers].join('\n') + '\n');
    // A dry run says what the file would do, and writes nothing: the import is still waiting for its snapshot.
    const dry = await ok(['--json', 'files', 'upload', aam, '--dry-run']);
    expect(dry.json).toMatchObject({ dryRun: true, lines: 202, effects: [{ importId, listId, removed: 0, unmatched: expect.any(Number) }] });
    expect((await ok(['files', 'upload', aam, '--dry-run'])).stdout).toMatch(new RegExp(`^import ${importId} \\(list ${listId}\\): \\+\\d+ -0 recipients`, 'm'));
    expect((await client.imports.get(importId)).state).toBe('pending');
    const uploaded = await ok(['files', 'upload', aam]);
    expect(uploaded.stdout).toContain('applied, 200 of 202 lines applied, 2 errors');
    expect(uploaded.stdout).toMatch(/^line 4: \S/m);
    expect(uploaded.stdout).toContain('line 5: id: ECID must be exactly 38 decimal digits');
    const refusedFile = join(home, `S3_1234_0_acme_full_${Date.now() + 1}-0.sync`);
    writeFileSync(refusedFile, 'bad\nworse\n');
    const refused = await hub(['--json', 'files', 'upload', refusedFile]);
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({ state: 'refused', errors: [{ line: 1 }, { line: 2 }] });

    const watched = await ok(['--json', 'import', 'watch', importId, '--interval', '200', '--timeout', '60']);
    expect(watched.json).toMatchObject({ id: importId, state: 'completed', snapshots: 1, receiving: null });
    // Links that reach audience-import's replica after the file join the list as late links.
    await waitFor('every known visitor matched', async () => (await client.imports.get(importId)).counts.matched === 3);
    // Judged at creation and again at the snapshot.
    const shown = await ok(['--json', 'import', 'show', importId, '--decisions']);
    expect(shown.json).toMatchObject({
      id: importId,
      decisions: [
        { allowed: true, snapshot: null },
        { allowed: true, snapshot: 1 },
      ],
    });
    expect((await ok(['--json', 'import', 'ls', '--all'])).json.items.map((job: { id: string }) => job.id)).toContain(importId);
    expect((await ok(['import', 'ls'])).stdout).toMatch(/^id\s+state\s+audience/);
    const members = await ok(['--json', 'lists', 'members', listId, '--all']);
    expect(members.json.items.map((m: { recipientId: string }) => m.recipientId)).toEqual(people.map((p) => p.recipientId).sort());
    expect((await hub(['import', 'show', 'imp-nope'])).code).toBe(1);
  });

  it('draws `hub import watch` as a live bar in a terminal, advancing part by part to 100%', async () => {
    await login();
    const people = await visitors(4);
    const audienceId = await publishedAudience();
    const { id: importId } = await client.imports.create({ audienceId, dataSourceId: 'visitor', listLabel: 'Watched', mode: 'full' });
    const session = `hub-watch-${process.pid}`;
    const script = join(home, 'watch.sh');
    const exports = Object.entries(hubEnv).map(([name, value]) => `export ${name}='${value}'`);
    writeFileSync(script, [...exports, `'${process.execPath}' '${HUB}' import watch ${importId} --interval 150 --timeout 120`, 'echo "hub exited $?"'].join('\n') + '\n');
    // A tmux server of the test's own (its own socket), in UTF-8 for the bar's blocks.
    const socket = `hub-cli-e2e-${process.pid}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-u', '-L', socket, ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } });
    const screen = () => tmux('capture-pane', '-p', '-t', session);
    tmux('new-session', '-d', '-s', session, '-x', '220', '-y', '12');
    try {
      tmux('send-keys', '-t', session, `bash '${script}'`, 'Enter');
      await waitFor('the bar drawn', () => /░{10}.* 0% \| pending \| parts 0\/\?/.test(screen()));

      // Five parts of one snapshot; the last part first, so the total is known from the start.
      const ids = [...people.map((p) => p.ecid), newEcid()];
      const events = [0, 1, 2, 3, 4].map((part) =>
        createEvent({
          type: EventTypes.xcAudienceMembers,
          source: '/e2e',
          orgId: tenant.orgId,
          aggregateId: audienceId,
          data: { audienceId, snapshotId: 'watched-1', mode: 'full', idType: 'visitor', part, lastPart: part === 4, added: part === 4 ? [ids[4]] : [ids[part]], removed: [] },
        }),
      );
      for (const [sent, part] of [4, 0, 1, 2].entries()) {
        await producer.send([events[part]]);
        await waitFor(`part ${sent + 1} of 5 shown`, () => screen().includes(`parts ${sent + 1}/5`));
      }
      expect(screen()).toMatch(/█+░+ 80% \| running \| parts 4\/5 \| matched \d unmatched \d \| match rate [\d.]+% \| elapsed \d+s \| ETA \d+s/);
      await producer.send([events[3]]);
      const final = await waitFor('the watch over', () => {
        const text = screen();
        return text.includes('hub exited') ? text : undefined;
      });
      // Visitors whose links reach audience-import's replica late are matched later: the counts add up to 5.
      const [, matched, unmatched] = /█{30} 100% \| completed \| parts 5\/5 \| matched (\d) unmatched (\d) \| match rate [\d.]+%/.exec(final) ?? [];
      expect(Number(matched) + Number(unmatched)).toBe(5);
      expect(final).toContain(`import ${importId} completed: matched ${matched}, unmatched ${unmatched}`);
      expect(final).toContain('hub exited 0');
    } finally {
      tmux('kill-server');
    }
  });

  it("dry-runs the audience's last snapshot with `hub import start --dry-run`: what it would do now, nothing written; none kept exits 1", async () => {
    await login();
    const [kept, dropped, added] = await visitors(3);
    const audienceId = await publishedAudience();
    const dryRun = () => hub(['--json', 'import', 'start', '--audience', audienceId, '--dry-run']);
    const none = await dryRun();
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no full snapshot of audience ${audienceId} was received`);
    expect((await hub(['import', 'start', '--audience', audienceId, '--label', 'No data source'])).code).toBe(2);

    const { id: importId, listId } = await client.imports.create({ audienceId, dataSourceId: 'visitor', listLabel: 'Dry run', mode: 'full' });
    const members = async () => (await client.imports.members(listId, { limit: 100 })).items.map((member) => member.recipientId).sort();
    const snapshot = (snapshotId: string, mode: 'full' | 'delta', ids: string[], removed: string[] = []) =>
      producer.send([
        createEvent({
          type: EventTypes.xcAudienceMembers,
          source: '/e2e',
          orgId: tenant.orgId,
          aggregateId: audienceId,
          data: { audienceId, snapshotId, mode, idType: 'visitor', part: 0, lastPart: true, added: ids, removed },
        }),
      ]);
    const stranger = newEcid();
    await snapshot('dry-full', 'full', [kept.ecid, dropped.ecid, stranger]);
    await waitFor('the snapshot applied, its visitors matched', async () => (await members()).join() === [kept.recipientId, dropped.recipientId].sort().join());
    // A delta since: the list is no longer what the snapshot made it.
    await snapshot('dry-delta', 'delta', [added.ecid], [dropped.ecid]);
    await waitFor('the delta applied', async () => (await members()).join() === [kept.recipientId, added.recipientId].sort().join());
    const before = await client.imports.get(importId);

    const dry = await dryRun();
    expect(dry.code).toBe(0);
    expect(dry.json).toEqual({
      dryRun: true,
      audienceId,
      snapshot: { key: 'xc:dry-full', idType: 'visitor', dataSourceId: null, ids: 3, parts: 1, receivedAt: expect.any(String) },
      effects: [{ importId, listId, added: 1, removed: 1, matched: 2, unmatched: 1, matchRate: 2 / 3 }],
    });
    const human = await ok(['import', 'start', '--audience', audienceId, '--dry-run']);
    expect(human.stdout).toContain('dry run, nothing written: snapshot xc:dry-full');
    expect(human.stdout).toContain(`import ${importId} (list ${listId}): +1 -1 recipients, 2 matched, 1 unmatched, match rate 66.7%`);
    expect(await members()).toEqual([kept.recipientId, added.recipientId].sort());
    expect(await client.imports.get(importId)).toEqual(before);

    // The same snapshot again, for real, does what the dry run said.
    await snapshot('dry-again', 'full', [kept.ecid, dropped.ecid, stranger]);
    const again = await waitFor('sent again', async () => {
      const view = await client.imports.get(importId);
      return view.snapshots === before.snapshots + 1 ? view : undefined;
    });
    expect(again.counts).toMatchObject({ added: 1, removed: 1, matched: 2, unmatched: 1 });
    expect(await members()).toEqual([kept.recipientId, dropped.recipientId].sort());
  });

  it('shares a list: creates the shared audience, runs and watches an update, lists the unmapped recipients', async () => {
    await login();
    await ok(['data-sources', 'create', '--id', 'share-crm', '--name', 'CRM id to share', '--integration-code', 'SHARECRM', '--attribute', 'crmId']);
    const segment = `CLI segment ${Date.now()}`;
    const shared = await waitFor('data source known to audience-export', async () => {
      const run = await hub(['--json', 'share', 'create', '--segment', segment, '--data-source', 'share-crm']);
      return run.code === 0 ? run.json : undefined;
    });
    expect(shared).toMatchObject({ segmentName: segment, dataSourceId: 'share-crm', version: 0 });

    const recipients = [1, 2, 3].map((n) => `cli-r-${n}-${shared.id}`);
    for (const [i, recipientId] of recipients.entries()) {
      await producer.publish({
        type: EventTypes.campaignRecipientUpserted,
        orgId: tenant.orgId,
        aggregateId: recipientId,
        data: { recipientId, attributes: i < 2 ? { crmId: `C-${i}-${shared.id}` } : { email: 'x@example.com' } },
      });
    }
    await waitFor(
      'recipients reconciled',
      async () => (await client.identities.resolve({ dataSourceId: 'share-crm', direction: 'to-xc', ids: recipients.slice(0, 2) })).matched.length === 2,
    );
    const listId = newId('list');
    await producer.publish({ type: EventTypes.campaignListCreated, orgId: tenant.orgId, aggregateId: listId, data: { listId, label: 'CLI list' } });
    await producer.listMembers({ orgId: tenant.orgId, listId, changeId: 'first', added: recipients });
    await waitFor('list copied by audience-export', () =>
      client.exports.campaignList(listId).then(
        (list) => list.memberCount === 3,
        () => false,
      ),
    );

    // A dry run says what the update would do, and takes no version: the real update is version 1.
    const predicted = await ok(['--json', 'share', 'update', shared.id, '--list', listId, '--dry-run']);
    expect(predicted.json).toEqual({ dryRun: true, state: 'completed', counts: { exported: 2, added: 2, removed: 0, unmapped: 1 }, decisions: expect.any(Array) });
    expect((await ok(['share', 'update', shared.id, '--list', listId, '--dry-run'])).stdout).toContain('would add 2, remove 0, leave 1 recipients unmapped');
    const updated = await ok(['--json', 'share', 'update', shared.id, '--list', listId, '--watch', '--interval', '200', '--timeout', '60']);
    expect(updated.json).toMatchObject({ state: 'completed', version: 1, counts: { exported: 2, added: 2, removed: 0, unmapped: 1 } });
    // Not a terminal: plain progress lines, then the outcome.
    const watched = await ok(['share', 'watch', shared.id, updated.json.id, '--interval', '200']);
    expect(watched.stdout).toContain('100% | completed | version 1 | exported 2 added 2 removed 0 unmapped 1');
    expect(watched.stdout).toContain(`update ${updated.json.id} completed`);
    const unmapped = await ok(['--json', 'share', 'unmapped', shared.id, updated.json.id]);
    expect(unmapped.json).toEqual({ items: [{ recipientId: recipients[2] }], nextCursor: null });

    const accepted = await ok(['--json', 'share', 'update', shared.id, '--list', listId, '--mode', 'mirror']);
    expect(accepted.json).toMatchObject({ id: expect.any(String), state: expect.any(String) });
    expect((await ok(['--json', 'share', 'watch', shared.id, accepted.json.id, '--interval', '200'])).json).toMatchObject({ state: 'completed', version: 1 });
    expect((await ok(['--json', 'share', 'ls'])).json.items.map((a: { id: string }) => a.id)).toContain(shared.id);
    expect((await ok(['--json', 'share', 'show', shared.id])).json).toMatchObject({ id: shared.id, version: 1 });
  });
  it('redrives a dead letter once its cause is fixed: applied once, a second redrive harmless', async () => {
    await login();
    await probe.listen([Topics.campaignSharedAudienceResults]);
    const resultsOf = (requestId: string) => probe.received.filter((m) => m.json?.data?.requestId === requestId);
    const dataSourceId = `late-${Date.now()}`;
    const segmentName = `Redriven ${dataSourceId}`;
    const listId = newId('list');
    await producer.publish({ type: EventTypes.campaignListCreated, orgId: tenant.orgId, aggregateId: listId, data: { listId, label: 'Redriven list' } });
    const request = (requestId: string) =>
      producer.publish({
        type: EventTypes.campaignSharedAudienceUpdateRequested,
        orgId: tenant.orgId,
        aggregateId: listId,
        data: { requestId, listId, segmentName, dataSourceId, mode: 'add-only' },
      });

    // Campaign asks for an update through a data source nobody created: audience-export dead-letters it.
    const requestId = newId('req');
    const sent = await request(requestId);
    const letter = await waitFor('the request dead-lettered', async () => {
      const listed = await ok(['--json', 'dlq', 'ls', '--type', EventTypes.campaignSharedAudienceUpdateRequested]);
      return listed.json.items.find((item: { eventId: string }) => item.eventId === sent.id);
    });
    expect(letter).toMatchObject({
      service: 'audience-export',
      topic: Topics.campaignSharedAudienceRequests,
      reason: `unknown data source ${dataSourceId}`,
      firstError: `unknown data source ${dataSourceId}`,
    });
    const shown = await ok(['--json', 'dlq', 'show', letter.id]);
    expect(shown.json).toMatchObject({
      service: 'audience-export',
      id: letter.id,
      event: { id: sent.id, data: { requestId } },
      headers: { ce_type: EventTypes.campaignSharedAudienceUpdateRequested },
    });
    expect((await ok(['dlq', 'ls', '--service', 'audience-export'])).stdout).toContain(letter.id);

    const dry = await ok(['--json', 'dlq', 'redrive', letter.id, '--dry-run']);
    expect(dry.json).toMatchObject({ dryRun: true, redriven: [{ id: letter.id, service: 'audience-export' }], missing: [] });
    expect((await hub(['dlq', 'redrive', '0-999999999'])).code).toBe(1);
    expect((await hub(['dlq', 'redrive'])).code).toBe(2);

    // The cause fixed: the data source exists, and audience-export learned it.
    await ok(['data-sources', 'create', '--id', dataSourceId, '--name', 'Late CRM', '--integration-code', 'LATE', '--attribute', 'crmId']);
    await waitFor('data source known to audience-export', () =>
      client.exports.create({ segmentName: `probe ${dataSourceId}`, dataSourceId }).then(
        () => true,
        () => false,
      ),
    );

    const redriven = await ok(['--json', 'dlq', 'redrive', letter.id]);
    expect(redriven.json).toMatchObject({ dryRun: false, redriven: [{ id: letter.id, service: 'audience-export' }] });
    const [result] = await probe.waitFor('the redriven request applied', (m) => resultsOf(requestId).includes(m), 1, 60_000);
    expect(result.json.data).toMatchObject({ requestId, state: expect.stringMatching(/completed|failed/) });

    // A second redrive of the same letter is dropped by the inbox. A later request of the same
    // list (same key, same partition, behind the copy) shows the copy was consumed by then.
    await ok(['dlq', 'redrive', letter.id]);
    const sentinel = newId('req');
    await request(sentinel);
    await probe.waitFor('the later request applied', (m) => resultsOf(sentinel).includes(m), 1, 60_000);
    expect(resultsOf(requestId)).toHaveLength(1);
    // Each redrive (not the dry run) is in audience-export's audit trail, naming the letter.
    const trail = await fetch(`${exporter.url}/v1/audit-events?action=dead-letters.redrive`, { headers: { authorization: `Bearer ${tenant.token}` } });
    expect(((await trail.json()) as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ outcome: 'succeeded', target: { deadLetterIds: [letter.id] }, actor: { clientId: tenant.clientId, orgId: tenant.orgId } }),
      expect.objectContaining({ outcome: 'succeeded', target: { deadLetterIds: [letter.id] } }),
    ]);
    const audiences = (await ok(['--json', 'share', 'ls', '--all'])).json.items.filter((a: { segmentName: string }) => a.segmentName === segmentName);
    expect(audiences).toHaveLength(1);
  });
});
