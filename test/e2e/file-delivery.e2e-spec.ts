import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { EventTypes, Topics } from '@audience-hub/contracts';
import type { HubEventProducer, UpdateView } from '@audience-hub/client';
import { openFileTransport, type FileTransport } from '@audience-hub/platform';
import { KafkaProbe, launchStack, newId, S3ProxyServer, SftpServer, testEnv, waitFor, type Stack, type Tenant } from '@audience-hub/testing';

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
  let stack: Stack;
  let campaign: HubEventProducer;
  let onS3: Tenant;
  let onSftp: Tenant;
  let bucket: FileTransport;

  const metric = async (name: string): Promise<number> => {
    const line = (await (await fetch(`${stack.exporter.url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    return Number(line?.split(' ').pop() ?? NaN);
  };

  /** A declared data source, recipients c-1..c-3 of it in a list, and a shared audience: an update of it completed. */
  async function exported(who: Tenant, dpid: string): Promise<{ audienceId: string; segmentId: number; update: UpdateView }> {
    const client = stack.client(who);
    const created = await client.identities.createDataSource({
      name: `CRM ${dpid}`,
      idType: 'declared',
      integrationCode: `CRM${dpid}`,
      reconciliationKey: { attribute: 'crmId', normalization: ['trim', 'lowercase'] },
      xcDataSourceId: dpid,
    });
    expect(created).toMatchObject({ xcDataSourceId: dpid });
    const dataSourceId = created.id;
    const audience = await waitFor('data source known to audience-export', () => client.exports.create({ segmentName: `Segment ${dpid}`, dataSourceId }));
    await campaign.publishMany(
      [1, 2, 3].map((n) => ({
        type: EventTypes.campaignRecipientUpserted,
        orgId: who.orgId,
        aggregateId: `r-${n}`,
        data: { recipientId: `r-${n}`, attributes: { crmId: `C-${n}` } },
      })),
    );
    await waitFor('recipients reconciled', async () => (await client.identities.resolve({ dataSourceId, direction: 'to-xc', ids: ['r-3'] })).matched.length === 1);
    const listId = newId('list');
    await campaign.publish({ type: EventTypes.campaignListCreated, orgId: who.orgId, aggregateId: listId, data: { listId, label: 'Loyal' } });
    await campaign.listMembers({ orgId: who.orgId, listId, changeId: randomUUID(), added: ['r-1', 'r-2', 'r-3'] });
    await waitFor('list stored', async () => (await client.exports.campaignList(listId)).memberCount === 3);
    const accepted = await client.exports.update(audience.id, { listId, mode: 'add-only' });
    expect(accepted.state).toBe('pending');
    const update = await waitFor(
      'update completed',
      async () => {
        const answer = await client.exports.getUpdate(audience.id, accepted.id);
        return answer.state === 'completed' ? answer : undefined;
      },
      { timeoutMs: 60_000 },
    );
    return { audienceId: audience.id, segmentId: audience.segmentId, update };
  }

  const updateOf = (who: Tenant, audienceId: string, updateId: string) => stack.client(who).exports.getUpdate(audienceId, updateId);

  beforeAll(async () => {
    [sftpd, s3] = await Promise.all([SftpServer.start(), S3ProxyServer.start()]);
    s3.createBucket('inbound');
    bucket = openFileTransport(s3.location('inbound', 'aam'), s3.env);
    stack = await launchStack(env, {
      services: ['id-reconciliation', 'audience-export'],
      // The delivery locations are per org: the orgs are made before audience-export starts.
      env: async (ims) => {
        const scopes = ['audiences.read', 'audiences.write', 'identities.read', 'identities.write'];
        [onS3, onSftp] = await Promise.all([ims.tenant(scopes, 'S3 org'), ims.tenant(scopes, 'SFTP org')]);
        const locations = { [onS3.orgId]: { '*': s3.location('inbound', 'aam') }, [onSftp.orgId]: { '*': sftpd.location('inbound') } };
        return {
          'audience-export': {
            ...s3.env,
            ...sftpd.env,
            EXPORT_DELIVERY_LOCATIONS: JSON.stringify(locations),
            EXPORT_DELIVERY_RETRY_BACKOFF_MS: '200',
            EXPORT_RUNNER_POLL_MS: '200',
          },
        };
      },
    });
    campaign = stack.producer('/campaign');
    await probe.listen([Topics.campaignSharedAudienceResults]);
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all([bucket?.close(), probe.close()]);
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
