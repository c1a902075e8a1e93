import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { randomUUID } from 'node:crypto';
import { EventTypes } from '@audience-hub/contracts';
import { FINAL_STATES, type HubClient, type HubEventProducer } from '@audience-hub/client';
import {
  announceOrgs,
  comparisonsAsBool,
  KafkaProbe,
  launchStack,
  newEcid,
  newId,
  PrometheusServer,
  REPO_ROOT,
  testEnv,
  waitFor,
  type Stack,
  type Tenant,
} from '@audience-hub/testing';

const env = testEnv();
const GRAFANA = resolve(REPO_ROOT, 'deploy/grafana');
const RULES = resolve(GRAFANA, 'alerts.rules.yml');

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string }> }>;
}
interface Dashboard {
  panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
}

const dashboard = JSON.parse(readFileSync(resolve(GRAFANA, 'audience-hub.dashboard.json'), 'utf8')) as Dashboard;
const rules = (parse(readFileSync(RULES, 'utf8')) as RuleFile).groups.flatMap((group) => group.rules);
const dashboardQueries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
const alerts = rules.filter((rule) => rule.alert);

/**
 * The dashboard and the alert rules against a real Prometheus (Debian's package) scraping the four
 * services, after a demo-like run: an import of an XC audience and an export of a Campaign list.
 * Each dashboard query answers series; each alert's condition, compared with `bool`, answers series
 * (so every series it names exists), and the rules evaluate without error.
 */
describe('metrics, the dashboard and the alert rules on Prometheus', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  let stack: Stack;
  let prometheus: PrometheusServer;
  let tenant: Tenant;
  let client: HubClient;
  let producer: HubEventProducer;
  /** The value of a query's only series, once Prometheus has one. */
  const valueOf = async (expr: string): Promise<number | undefined> => {
    const [sample] = await prometheus.query(expr);
    return sample ? Number(sample.value[1]) : undefined;
  };

  beforeAll(async () => {
    stack = await launchStack(env, { services: ['id-reconciliation', 'audience-import', 'audience-export'] });
    tenant = await stack.tenant(['audiences.read', 'audiences.write', 'identities.read', 'identities.write']);
    client = stack.client(tenant);
    producer = stack.producer();
    await announceOrgs(probe, [tenant]);
    prometheus = await PrometheusServer.start([stack.ims.service, ...stack.services], [RULES]);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await stack?.stop();
    await probe.close();
  });

  it('promtool accepts the rules and their unit tests', () => {
    for (const args of [
      ['check', 'rules', RULES],
      ['test', 'rules', resolve(GRAFANA, 'alerts.rules.test.yml')],
    ]) {
      const result = spawnSync('promtool', args, { cwd: GRAFANA, encoding: 'utf8', timeout: 60_000 });
      expect({ args, status: result.status, output: `${result.stdout}${result.stderr}` }).toMatchObject({ args, status: 0 });
    }
  });

  it('answers every dashboard query and every alert condition after an import and an export', async () => {
    // Every service scraped, and the run counters seen at 0 before the run: increase() then counts it.
    await waitFor(
      'four targets up, each scraped twice',
      async () => (await valueOf('count(count_over_time(hub_import_runs_total{outcome="completed"}[1m]) >= 2)')) === 4 && (await valueOf('sum(up{job="audience-hub"})')) === 4,
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    ).catch(async (error) => {
      throw new Error(`${error.message}; targets: ${JSON.stringify(await prometheus.targets())}\n${prometheus.logs().slice(-3_000)}`);
    });

    // The import: visitors known to id-reconciliation, an XC audience of them and of unknown ECIDs.
    const visitors = Array.from({ length: 40 }, () => ({ ecid: newEcid(), recipientId: newId('rcp') }));
    await producer.publishMany(
      visitors.map(({ ecid, recipientId }) => ({
        type: EventTypes.campaignVisitorObserved,
        orgId: tenant.orgId,
        aggregateId: recipientId,
        data: { recipientId, ecid, observedAt: new Date().toISOString(), channel: 'web' as const },
      })),
    );
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    await producer.publish({
      type: EventTypes.xcAudiencePublished,
      orgId: tenant.orgId,
      aggregateId: audienceId,
      data: { audienceId, name: `Segment ${audienceId}`, solution: 'audience-manager', labels: ['C2'] },
    });
    await waitFor('audience catalogued', () => client.imports.audience(audienceId));
    await waitFor(
      'visitors in the import replica',
      async () => (await client.identities.resolve({ dataSourceId: 'visitor', direction: 'to-recipients', ids: visitors.map((v) => v.ecid) })).matched.length === visitors.length,
    );
    const created = await client.imports.create({ audienceId, listLabel: 'From AAM', dataSourceId: 'visitor', mode: 'full' });
    expect(created).toMatchObject({ audienceId, state: 'pending' });
    const members = [...visitors.slice(0, 30).map((v) => v.ecid), ...Array.from({ length: 10 }, () => newEcid())];
    await producer.audienceMembers({ orgId: tenant.orgId, audienceId, snapshotId: newId('snap'), mode: 'full', idType: 'visitor', added: members });
    await waitFor(
      'import completed, its visitors matched',
      async () => {
        const view = await client.imports.get(created.id);
        return view.state === 'completed' && view.counts.matched === 30;
      },
      { timeoutMs: 60_000 },
    );

    // The export: a Campaign list of 40 recipients, 20 of them known visitors, shared with XC.
    const listId = newId('list');
    const listMembers = [...visitors.slice(20).map((v) => v.recipientId), ...Array.from({ length: 20 }, () => newId('rcp'))];
    await producer.publish({ type: EventTypes.campaignListCreated, orgId: tenant.orgId, aggregateId: listId, data: { listId, label: 'Spring buyers' } });
    await producer.listMembers({ orgId: tenant.orgId, listId, changeId: randomUUID(), added: listMembers });
    await waitFor('list stored', async () => (await client.exports.campaignList(listId)).memberCount === listMembers.length);
    const shared = await client.exports.create({ segmentName: `Spring buyers ${listId}`, dataSourceId: 'visitor' });
    expect(shared).toMatchObject({ segmentName: `Spring buyers ${listId}`, dataSourceId: 'visitor' });
    const update = await client.exports.update(shared.id, { listId, mode: 'add-only' });
    expect(update.state).toBe('pending');
    const done = await waitFor(
      'export update finished',
      async () => {
        const view = await client.exports.getUpdate(shared.id, update.id);
        return FINAL_STATES.has(view.state) ? view : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(done).toMatchObject({ state: 'completed', counts: { unmapped: 20 } });

    // Scraped after the run: the run metrics, and the recorded match ratio evaluated on them.
    await waitFor(
      'the runs scraped and the match ratio recorded',
      async () =>
        (await valueOf('sum(hub_import_runs_total{outcome="completed"})')) === 1 &&
        (await valueOf('sum(hub_export_runs_total{outcome="completed"})')) === 1 &&
        (await valueOf('hub:import_match_ratio:1h')) !== undefined,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // Counted as the snapshot applied: ids whose link reached audience-import's replica later are late matches, not counted again.
    const [received, matched, unmatched] = await Promise.all(['received', 'matched', 'unmatched'].map((what) => valueOf(`sum(hub_import_ids_${what}_total)`)));
    expect({ received, matchedAndUnmatched: matched! + unmatched! }).toEqual({ received: 40, matchedAndUnmatched: 40 });
    expect(unmatched).toBeGreaterThanOrEqual(10);
    expect(await valueOf('sum(hub_export_recipients_unmapped_total)')).toBe(20);
    // Across the run's imports (earlier suites of the run share the database): this one's 10 at least.
    expect(await valueOf('max(hub_import_pending_ids)')).toBeGreaterThanOrEqual(10);

    // Every dashboard query and every alert condition answers (a query over a window may need a scrape or two more).
    const empty = async () => {
      const missing: string[] = [];
      for (const { panel, expr } of dashboardQueries) if ((await prometheus.query(expr)).length === 0) missing.push(`dashboard "${panel}": ${expr}`);
      for (const rule of alerts) if ((await prometheus.query(comparisonsAsBool(rule.expr))).length === 0) missing.push(`alert ${rule.alert}: ${comparisonsAsBool(rule.expr)}`);
      return missing;
    };
    let missing: string[] = [];
    await waitFor('every query answered', async () => (missing = await empty()).length === 0, { timeoutMs: 30_000, intervalMs: 1_000 }).catch(() => undefined);
    expect(missing).toEqual([]);
    expect(dashboardQueries.length).toBeGreaterThan(20);
    expect(alerts.map((rule) => rule.alert).sort()).toEqual(['ConsumerLagGrowing', 'DeadLetterTopicNotEmpty', 'ImportMatchRateHalved', 'OutboxBehind', 'ServiceNotReady']);

    // The HTTP panels leave out scrapes and probes by route: the routes carry those names.
    const routes = new Set((await prometheus.query('hub_http_request_duration_seconds_count')).map((sample) => sample.metric.route));
    expect([...routes]).toEqual(expect.arrayContaining(['/metrics', '/health/ready', '/v1/imports/:id']));

    // The rules as Prometheus runs them: loaded, and evaluated without error.
    const loaded = (await prometheus.rules()).flatMap((group) => group.rules);
    expect(loaded.map((rule) => rule.name).sort()).toEqual(rules.map((rule) => rule.alert ?? rule.record).sort());
    expect(loaded.filter((rule) => rule.health !== 'ok')).toEqual([]);
    // Lag is read per group and partition from the broker, for the groups each service consumes with.
    const lagGroups = new Set((await prometheus.query('hub_consumer_lag')).map((sample) => sample.metric.group));
    expect([...lagGroups]).toEqual(
      expect.arrayContaining([`test.${process.env.TEST_RUN_ID ?? 'run'}.audience-import`, `test.${process.env.TEST_RUN_ID ?? 'run'}.audience-import.identity-links`]),
    );
  });
});
