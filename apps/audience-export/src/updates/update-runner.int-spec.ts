import { Client } from 'pg';
import { createEvent, EventTypes, identityLinkAggregateId, Topics, type AnyHubEvent } from '@audience-hub/contracts';
import { ImsTestClient, KafkaProbe, launchService, newId, restCall, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();
const MAX_ATTEMPTS = 3;
const OUTAGES = 2;

/**
 * A step of an update that keeps failing (here the final step, made to throw by a trigger on the
 * update's completion) fails the update after EXPORT_STEP_MAX_ATTEMPTS attempts with the reason,
 * and the shared audience's next update still runs. Errors that say the database is unavailable
 * (the trigger's first OUTAGES answers) are waited out and not counted. Real process, Postgres, Kafka.
 */
describe('update runner: bounded retries of a failing step', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  const db = new Client({ connectionString: env.databaseUrl });
  const faultyList = newId('list');
  let ims: ImsTestClient;
  let exporter: RunningService;
  let tenant: Tenant;

  const call = (method: string, path: string, body?: unknown) => restCall(exporter.url, tenant, method, path, body);
  const campaign = (type: AnyHubEvent['type'], aggregateId: string, data: unknown) =>
    createEvent({ type, source: '/campaign', orgId: tenant.orgId, aggregateId, data } as never) as AnyHubEvent;
  const update = async (audienceId: string, listId: string) => {
    const accepted = await call('POST', `/v1/shared-audiences/${audienceId}/updates`, { listId, mode: 'mirror' });
    expect(accepted.status).toBe(202);
    return waitFor(
      `update ${accepted.body.id} ended`,
      async () => {
        const answer = await call('GET', `/v1/shared-audiences/${audienceId}/updates/${accepted.body.id}`);
        return ['completed', 'failed', 'denied'].includes(answer.body?.state) ? answer.body : undefined;
      },
      { timeoutMs: 60_000 },
    );
  };

  beforeAll(async () => {
    await db.connect();
    ims = await ImsTestClient.start(env);
    exporter = await launchService(
      'audience-export',
      env.serviceEnv('audience-export', {
        ...ims.trustEnv,
        EXPORT_STEP_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        EXPORT_STEP_RETRY_BACKOFF_MS: '200',
        EXPORT_RUNNER_POLL_MS: '100',
      }),
    );
    tenant = await ims.tenant(['audiences.read', 'audiences.write']);
    await probe.listen([Topics.xcCampaignAudiences, Topics.campaignSharedAudienceResults]);
    // The fault: completing an update of `faultyList` raises, first as an outage (SQLSTATE 57P01,
    // "the server is shutting down"), then as a plain error. `test_fault_hits` counts every raise.
    await db.query(`CREATE SEQUENCE audience_export.test_fault_hits`);
    await db.query(`
      CREATE FUNCTION audience_export.test_fault() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
      BEGIN
        IF nextval('audience_export.test_fault_hits') <= ${OUTAGES} THEN
          RAISE EXCEPTION 'injected outage' USING ERRCODE = '57P01';
        END IF;
        RAISE EXCEPTION 'injected fault on completion';
      END $$`);
    await db.query(`
      CREATE TRIGGER test_fault BEFORE UPDATE ON audience_export.shared_audience_updates FOR EACH ROW
        WHEN (NEW.list_id = '${faultyList}' AND NEW.state = 'completed') EXECUTE FUNCTION audience_export.test_fault()`);
  });

  afterAll(async () => {
    await db.query(`DROP TRIGGER IF EXISTS test_fault ON audience_export.shared_audience_updates`).catch(() => undefined);
    await db.query(`DROP FUNCTION IF EXISTS audience_export.test_fault()`).catch(() => undefined);
    await db.query(`DROP SEQUENCE IF EXISTS audience_export.test_fault_hits`).catch(() => undefined);
    await exporter?.stop();
    await ims?.stop();
    await probe.close();
    await db.end();
  });

  it('fails the update after the last attempt with the reason, and runs the next update of the audience', async () => {
    // Three recipients linked to an ECID each (id-reconciliation's changelog); the faulty list holds
    // two of them, the good one all three.
    const ecids = [1, 2, 3].map((n) => `${10n ** 37n + BigInt(Date.now()) * 1000n + BigInt(n)}`);
    const observedAt = new Date().toISOString();
    await probe.publish(Topics.idrecDataSources, [
      createEvent({
        type: EventTypes.idrecDataSourceUpserted,
        source: '/audience-hub/id-reconciliation',
        orgId: tenant.orgId,
        aggregateId: 'visitor',
        data: { dataSourceId: 'visitor', name: 'Recipient - Visitor ID', idType: 'visitor', integrationCode: 'AdobeCampaignVisitorID', builtIn: true, exportControls: [] },
      }),
    ]);
    await probe.publish(
      Topics.idrecIdentityLinks,
      ecids.map((ecid, i) =>
        createEvent({
          type: EventTypes.idrecIdentityLinked,
          source: '/audience-hub/id-reconciliation',
          orgId: tenant.orgId,
          aggregateId: identityLinkAggregateId('visitor', ecid),
          data: { dataSourceId: 'visitor', idType: 'visitor', xcId: ecid, recipientId: `rcp-${i}`, observedAt },
        }),
      ),
    );
    const goodList = newId('list');
    await probe.publish(Topics.campaignLists, [
      ...[faultyList, goodList].map((listId) => campaign(EventTypes.campaignListCreated, listId, { listId, label: listId })),
      campaign(EventTypes.campaignListMembersAdded, faultyList, { listId: faultyList, recipientIds: ['rcp-0', 'rcp-1'] }),
      campaign(EventTypes.campaignListMembersAdded, goodList, { listId: goodList, recipientIds: ['rcp-0', 'rcp-1', 'rcp-2'] }),
    ]);
    await waitFor('visitor links in the replica', async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM audience_export.identity_links WHERE org_id = $1`, [tenant.orgId]);
      return rows[0].n === 3;
    });
    await waitFor('lists stored', async () => (await call('GET', `/v1/lists/${goodList}`)).body?.memberCount === 3);
    const audience = await waitFor('visitor data source known', async () => {
      const answer = await call('POST', '/v1/shared-audiences', { segmentName: 'Retry test', dataSourceId: 'visitor' });
      return answer.status === 201 ? answer.body : undefined;
    });

    // The final step of the first update keeps failing: after the outages, three attempts, then failed.
    const failed = await update(audience.id, faultyList);
    expect(failed).toMatchObject({ state: 'failed', version: 0, counts: { exported: 0, added: 0, removed: 0, unmapped: 0 } });
    expect(failed.reason).toBe(`final step failed ${MAX_ATTEMPTS} times: injected fault on completion`);
    const [row] = (
      await db.query(
        `SELECT u.step_attempts, h.last_value AS hits, (SELECT count(*)::int FROM audience_export.exported_members e JOIN audience_export.shared_audiences a USING (audience_no)
                   WHERE a.org_id = u.org_id AND a.shared_audience_id = u.shared_audience_id) AS exported
           FROM audience_export.shared_audience_updates u, audience_export.test_fault_hits h WHERE u.org_id = $1 AND u.update_id = $2`,
        [tenant.orgId, failed.id],
      )
    ).rows;
    // Kept in the database; the outages were waited out, not counted; what the failed attempts exported was rolled back.
    expect(row).toMatchObject({ step_attempts: MAX_ATTEMPTS, hits: String(OUTAGES + MAX_ATTEMPTS), exported: 0 });
    const output = exporter.output();
    expect(output).toContain('database unavailable, update runner waiting: injected outage');
    // The second wait doubles the first (200 ms) and is jittered into its upper half: 200-400 ms.
    const retry = output.match(new RegExp(`final step of update ${failed.id} failed \\(attempt 2 of ${MAX_ATTEMPTS}\\), retrying in (\\d+) ms`));
    expect(Number(retry?.[1])).toBeGreaterThanOrEqual(200);
    expect(Number(retry?.[1])).toBeLessThanOrEqual(400);
    const [failure] = await probe.waitFor('failure outcome', (m) => m.json?.data?.updateId === failed.id);
    expect(failure.json.data).toMatchObject({ state: 'failed', version: 0, reason: failed.reason });

    // The next update of the same shared audience runs and exports version 1.
    const next = await update(audience.id, goodList);
    expect(next).toMatchObject({ state: 'completed', version: 1, counts: { exported: 3, added: 3, removed: 0, unmapped: 0 } });
    const [chunk] = await probe.waitFor('version 1', (m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audience.id);
    expect(chunk.json.data).toMatchObject({ version: 1, part: 0, lastPart: true, added: [...ecids].sort(), removed: [] });
    await probe.waitFor('completion outcome', (m) => m.json?.data?.updateId === next.id);
    expect(probe.received.filter((m) => m.json?.type === EventTypes.xcSharedAudienceMembersChanged && m.json.data.sharedAudienceId === audience.id)).toHaveLength(1);
  });
});
