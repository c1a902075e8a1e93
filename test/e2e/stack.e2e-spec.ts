import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { EventTypes } from '@audience-hub/contracts';
import type { HubEventProducer } from '@audience-hub/client';
import { launchStack, newId, newOrgId, testEnv, waitFor, type RunningService, type Stack } from '@audience-hub/testing';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const env = testEnv();

describe('the four services as separate processes', () => {
  // Health, metrics and OpenAPI are the HTTP layer itself, open to anyone: plain fetch, no client.
  const running: RunningService[] = [];
  let stack: Stack;
  let campaign: HubEventProducer;
  const db = new Client({ connectionString: env.databaseUrl });

  beforeAll(async () => {
    await db.connect();
    stack = await launchStack(env, { services: ['id-reconciliation', 'audience-import', 'audience-export'] });
    running.push(stack.ims.service, ...stack.services);
    campaign = stack.producer('/campaign');
  });

  afterAll(async () => {
    await stack?.stop();
    await db.end();
  });

  it('are all ready, each with health, metrics and OpenAPI', async () => {
    for (const service of running) {
      const ready = await fetch(`${service.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: { status: 'up' }, kafka: { status: 'up' }, consumer: { status: 'up' } } });
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toContain(`hub_events_applied_total{service="${service.name}"}`);
      const openapi = (await (await fetch(`${service.url}/docs/openapi.json`)).json()) as { info: { title: string } };
      expect(openapi.info.title).toMatch(/^audience-hub /);
      // What `npm run openapi` committed (built without starting the service) is what the service serves.
      expect(openapi).toEqual(JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi', `${service.name}.json`), 'utf8')));
    }
  });

  it("answers the client's readiness of each service and its validation of a token", async () => {
    const client = stack.client(await stack.tenant(['audiences.read']));
    for (const service of ['ims', 'id-reconciliation', 'audience-import', 'audience-export'] as const) {
      expect(await client.readiness(service)).toMatchObject({ status: 'ready' });
    }
    expect(await client.ims.validateToken(await client.tokens.token())).toMatchObject({ valid: true, claims: expect.objectContaining({ scope: 'audiences.read' }) });
    expect(await client.ims.validateToken('not.a.token')).toMatchObject({ valid: false, reason: expect.any(String) });
  });

  it('stores a list published on campaign.lists.v1 in audience-export', async () => {
    const orgId = newOrgId();
    const listId = newId('list');
    const recipientIds = Array.from({ length: 250 }, (_, i) => `rcp-${i}`);
    await campaign.publish({ type: EventTypes.campaignListCreated, orgId, aggregateId: listId, data: { listId, label: 'Spring sale' } });
    await campaign.listMembers({ orgId, listId, changeId: randomUUID(), added: recipientIds });
    await campaign.listMembers({ orgId, listId, changeId: randomUUID(), removed: ['rcp-0'] });
    const stored = await waitFor('list stored by audience-export', async () => {
      const { rows } = await db.query(
        `SELECT l.label, count(m.recipient_id)::int AS members
           FROM audience_export.campaign_lists l LEFT JOIN audience_export.campaign_list_members m USING (org_id, list_id)
          WHERE l.org_id = $1 AND l.list_id = $2 GROUP BY l.label`,
        [orgId, listId],
      );
      return rows[0]?.members === 249 ? rows[0] : undefined;
    });
    expect(stored).toEqual({ label: 'Spring sale', members: 249 });
  });

  it('refuses to start with bad configuration, naming the variable', () => {
    const result = spawnSync(process.execPath, [resolve(__dirname, '../../dist/apps/audience-import/src/main.js')], {
      env: { PATH: process.env.PATH, DATABASE_URL: 'mysql://nope', PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL: must be a postgres:// URL');
    expect(result.stderr).toContain('PORT:');
  });
});
