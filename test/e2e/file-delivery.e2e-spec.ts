import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { createEvent, EventTypes, Topics } from '@audience-hub/contracts';
import { openFileTransport, type FileTransport } from '@audience-hub/platform';
import { ImsTestClient, KafkaProbe, launchService, newId, S3ProxyServer, SftpServer, testEnv, waitFor, type RunningService, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/**
 * Audience Manager inbound files delivered where AAM takes them, on real servers: one org's data
 * sources to an S3 bucket (S3Proxy), stopped during an update and started again; another's to an
 * SFTP server (Debian's OpenSSH).
 */
describe('inbound file delivery to S3 and SFTP end to end', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  let sftpd: SftpServer;
  let s3: S3ProxyServer;
  let ims: ImsTestClient;
  let idrec: RunningService;
  let exporter: RunningService;
  let onS3: Tenant;
  let onSftp: Tenant;
  let bucket: FileTransport;

  const call = async (who: Tenant, service: RunningService, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { ...who.auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const metric = async (name: string): Promise<number> => {
    const line = (await (await fetch(`${exporter.url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    return Number(line?.split(' ').pop() ?? NaN);
  };

  /** A declared data source, recipients c-1..c-3 of it in a list, and a shared audience: an update of it completed. */
  async function exported(who: Tenant, dpid: string): Promise<{ audienceId: string; segmentId: number; update: any }> {
    const created = await call(who, idrec, 'POST', '/v1/data-sources', {
      name: `CRM ${dpid}`,
      idType: 'declared',
      integrationCode: `CRM${dpid}`,
      reconciliationKey: { attribute: 'crmId', normalization: ['trim', 'lowercase'] },
      xcDataSourceId: dpid,
    });
    expect(created.status).toBe(201);
    const dataSourceId: string = created.body.id ?? created.body.dataSourceId;
    const audience = await waitFor('data source known to audience-export', async () => {
      const answer = await call(who, exporter, 'POST', '/v1/shared-audiences', { segmentName: `Segment ${dpid}`, dataSourceId });
      return answer.status === 201 ? answer.body : undefined;
    });
    await probe.publish(
      Topics.campaignRecipients,
      [1, 2, 3].map((n) =>
        createEvent({
          type: EventTypes.campaignRecipientUpserted,
          source: '/campaign',
          orgId: who.orgId,
          aggregateId: `r-${n}`,
          data: { recipientId: `r-${n}`, attributes: { crmId: `C-${n}` } },
        }),
      ),
    );
    await waitFor(
      'recipients reconciled',
      async () => (await call(who, idrec, 'POST', '/v1/resolve', { dataSourceId, direction: 'to-xc', ids: ['r-3'] })).body?.matched?.length === 1,
    );
    const listId = newId('list');
    await probe.publish(Topics.campaignLists, [
      createEvent({ type: EventTypes.campaignListCreated, source: '/campaign', orgId: who.orgId, aggregateId: listId, data: { listId, label: 'Loyal' } }),
      createEvent({ type: EventTypes.campaignListMembersAdded, source: '/campaign', orgId: who.orgId, aggregateId: listId, data: { listId, recipientIds: ['r-1', 'r-2', 'r-3'] } }),
    ]);
    await waitFor('list stored', async () => (await call(who, exporter, 'GET', `/v1/lists/${listId}`)).body?.memberCount === 3);
    const accepted = await call(who, exporter, 'POST', `/v1/shared-audiences/${audience.id}/updates`, { listId, mode: 'add-only' });
    expect(accepted.status).toBe(202);
    const update = await waitFor(
      'update completed',
      async () => {
        const answer = await call(who, exporter, 'GET', `/v1/shared-audiences/${audience.id}/updates/${accepted.body.id}`);
        return answer.body?.state === 'completed' ? answer.body : undefined;
      },
      { timeoutMs: 60_000 },
    );
    return { audienceId: audience.id, segmentId: audience.segmentId, update };
  }

  const updateOf = async (who: Tenant, audienceId: string, updateId: string) => (await call(who, exporter, 'GET', `/v1/shared-audiences/${audienceId}/updates/${updateId}`)).body;

  beforeAll(async () => {
    [sftpd, s3, ims] = await Promise.all([SftpServer.start(), S3ProxyServer.start(), ImsTestClient.start(env)]);
    s3.createBucket('inbound');
    const scopes = ['audiences.read', 'audiences.write', 'identities.read', 'identities.write'];
    [onS3, onSftp] = await Promise.all([ims.tenant(scopes, 'S3 org'), ims.tenant(scopes, 'SFTP org')]);
    bucket = openFileTransport(s3.location('inbound', 'aam'), s3.env);
    const locations = { [onS3.orgId]: { '*': s3.location('inbound', 'aam') }, [onSftp.orgId]: { '*': sftpd.location('inbound') } };
    [idrec, exporter] = await Promise.all([
      launchService('id-reconciliation', env.serviceEnv('id-reconciliation', { ...ims.trustEnv })),
      launchService(
        'audience-export',
        env.serviceEnv('audience-export', {
          ...ims.trustEnv,
          ...s3.env,
          ...sftpd.env,
          EXPORT_DELIVERY_LOCATIONS: JSON.stringify(locations),
          EXPORT_DELIVERY_RETRY_BACKOFF_MS: '200',
          EXPORT_RUNNER_POLL_MS: '200',
        }),
      ),
    ]);
    await probe.listen([Topics.campaignSharedAudienceResults]);
  });

  afterAll(async () => {
    await Promise.all([exporter?.stop(), idrec?.stop()]);
    await Promise.all([ims?.stop(), bucket?.close(), probe.close()]);
    await Promise.all([sftpd?.stop(), s3?.stop()]);
  });

  it('delivers to SFTP under a temporary name renamed into place, and the update says where the file went', async () => {
    const { audienceId, segmentId, update } = await exported(onSftp, '200001');
    const folder = join(sftpd.root, 'inbound');
    const [name] = update.files;
    expect(name).toMatch(/^ftp_dpm_200001_\d{10}\.overwrite\.gz$/);
    await waitFor('file delivered', () => existsSync(join(folder, name)));
    expect(readdirSync(folder)).toEqual([name]); // no temporary left behind
    expect(gunzipSync(readFileSync(join(folder, name))).toString('utf8')).toBe([1, 2, 3].map((n) => `c-${n}\td_sid=${segmentId}\n`).join(''));
    const view = await waitFor('delivery recorded', async () =>
      (await updateOf(onSftp, audienceId, update.id)).deliveries[0]?.state === 'delivered' ? await updateOf(onSftp, audienceId, update.id) : undefined,
    );
    expect(view.deliveries).toEqual([{ name, location: sftpd.location('inbound'), state: 'delivered', attempts: 0, deliveredAt: expect.any(String) }]);
  });

  it('keeps retrying a delivery while S3 is down, showing the failure in the update and the metrics, and delivers once it is back', async () => {
    const failuresBefore = await metric('hub_export_file_delivery_failures_total');
    await s3.pause();
    try {
      const { audienceId, segmentId, update } = await exported(onS3, '300001');
      const [name] = update.files;
      const failing = await waitFor('delivery failed twice', async () => {
        const view = await updateOf(onS3, audienceId, update.id);
        return view.deliveries[0]?.attempts >= 2 ? view : undefined;
      });
      // The update itself completed: only its file waits.
      expect(failing).toMatchObject({
        state: 'completed',
        deliveries: [{ name, state: 'pending', location: s3.location('inbound', 'aam'), lastError: expect.stringContaining('write at s3://') }],
      });
      expect(await metric('hub_export_file_delivery_failures_total')).toBeGreaterThanOrEqual(failuresBefore + 2);
      expect(await metric('hub_export_files_undelivered')).toBeGreaterThanOrEqual(1);
      await s3.restart();
      await waitFor('delivered after the outage', async () => (await updateOf(onS3, audienceId, update.id)).deliveries[0]?.state === 'delivered', { timeoutMs: 60_000 });
      expect((await bucket.list()).map((entry) => entry.name)).toEqual([name]);
      expect(gunzipSync(await buffer(await bucket.read(name))).toString('utf8')).toBe([1, 2, 3].map((n) => `c-${n}\td_sid=${segmentId}\n`).join(''));
      expect(await metric('hub_export_files_undelivered')).toBe(0);
    } finally {
      await s3.restart(); // nothing when the test got that far
    }
  });
});
