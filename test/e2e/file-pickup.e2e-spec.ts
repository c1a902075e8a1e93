import { renameSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { EventTypes } from '@audience-hub/contracts';
import type { HubEventProducer } from '@audience-hub/client';
import { openFileTransport, type FileTransport } from '@audience-hub/platform';
import { announceOrgs, KafkaProbe, launchStack, newEcid, S3ProxyServer, SftpServer, testEnv, waitFor, type RunningService, type Stack, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/**
 * Audience Manager outbound files picked up where AAM puts them, on real servers: an S3 bucket
 * (S3Proxy) and an SFTP server (Debian's OpenSSH), by two audience-import instances at once.
 */
describe('file pickup from S3 and SFTP end to end', () => {
  const probe = new KafkaProbe(env.kafkaBrokers);
  let sftpd: SftpServer;
  let s3: S3ProxyServer;
  let stack: Stack;
  let xc: HubEventProducer;
  let importers: RunningService[] = [];
  let onS3: Tenant;
  let onSftp: Tenant;
  let locked: Tenant;
  let bucket: FileTransport;

  let sequence = 0;
  const fileName = (mode: 'iter' | 'full', gz = false) => `S3_1234_0_acme_${mode}_${Date.now() + sequence++}-0.sync${gz ? '.gz' : ''}`;
  /** The sum over both importers of a counter's series whose labels include `labels`. */
  const counter = async (name: string, labels: string): Promise<number> => {
    let sum = 0;
    for (const importer of importers) {
      const metrics = await (await fetch(`${importer.url}/metrics`)).text();
      for (const line of metrics.split('\n')) if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.split(' ').pop());
    }
    return sum;
  };

  async function importedAudience(who: Tenant): Promise<{ audienceId: string; importId: string }> {
    const audienceId = String(100_000 + Math.floor(Math.random() * 900_000));
    const client = stack.client(who);
    await xc.publish({
      type: EventTypes.xcAudiencePublished,
      orgId: who.orgId,
      aggregateId: audienceId,
      data: { audienceId, name: `Segment ${audienceId}`, solution: 'audience-manager', labels: ['C2'] },
    });
    await waitFor('audience catalogued', () => client.imports.audience(audienceId));
    const created = await client.imports.create({ audienceId, listLabel: 'Picked up', dataSourceId: 'visitor', mode: 'full' });
    expect(created).toMatchObject({ audienceId, state: 'pending' });
    return { audienceId, importId: created.id };
  }

  beforeAll(async () => {
    [sftpd, s3] = await Promise.all([SftpServer.start(), S3ProxyServer.start()]);
    s3.createBucket('outbound');
    bucket = openFileTransport(s3.location('outbound', 'aam/acme'), s3.env);
    stack = await launchStack(env, {
      services: ['id-reconciliation', 'audience-import', 'audience-import'],
      // The pickup locations are per org: the orgs are made before the importers start.
      env: async (ims) => {
        const scopes = ['audiences.read', 'audiences.write', 'identities.read'];
        [onS3, onSftp, locked] = await Promise.all([ims.tenant(scopes, 'S3 org'), ims.tenant(scopes, 'SFTP org'), ims.tenant(scopes, 'Locked-out org')]);
        const locations = {
          [onS3.orgId]: s3.location('outbound', 'aam/acme'),
          [onSftp.orgId]: sftpd.location('acme'),
          // A key the server does not admit: the location fails, the service does not.
          [locked.orgId]: `${sftpd.location('locked')}&profile=stranger`,
        };
        return {
          'audience-import': {
            ...s3.env,
            ...sftpd.env,
            FILES_STRANGER_SFTP_PRIVATE_KEY_FILE: sftpd.strangerKeyFile,
            IMPORT_PICKUP_LOCATIONS: JSON.stringify(locations),
            IMPORT_PICKUP_POLL_MS: '200',
          },
        };
      },
    });
    importers = stack.services.filter((service) => service.name === 'audience-import');
    xc = stack.producer('/xc');
    await announceOrgs(probe, [onS3, onSftp, locked]);
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all([bucket?.close(), probe.close()]);
    await Promise.all([sftpd?.stop(), s3?.stop()]);
  });

  it('takes each file in the bucket exactly once with two importers polling it, then moves it to processed/ with its report', async () => {
    const { audienceId, importId } = await importedAudience(onS3);
    const names = Array.from({ length: 6 }, (_, index) => fileName('iter', index % 2 === 0));
    for (const name of names) {
      const lines = `${newEcid()} ${audienceId} \n${newEcid()} ${audienceId} \n`;
      await bucket.write(name, Readable.from([name.endsWith('.gz') ? gzipSync(lines) : Buffer.from(lines)]));
    }
    await waitFor('every file in processed/', async () => (await bucket.list('processed')).length === names.length * 2, { timeoutMs: 60_000 });
    expect(await bucket.list()).toEqual([]);
    for (const name of names) {
      const report = JSON.parse(await text(await bucket.read(`processed/${name}.report.json`)));
      expect(report).toMatchObject({ name, state: 'applied', lines: 2, applied: 2 });
      expect(report.duplicate).toBeUndefined();
    }
    await waitFor('six snapshots applied', async () => (await stack.client(onS3).imports.get(importId)).snapshots === names.length);
    expect(await counter('hub_file_pickups_total', 'outcome="applied"')).toBe(names.length);
  });

  it('leaves an upload in progress, and rejects a file past the error ratio with its line errors beside it (SFTP)', async () => {
    const { audienceId, importId } = await importedAudience(onSftp);
    const folder = join(sftpd.root, 'acme');
    mkdirSync(folder, { recursive: true });
    const uploading = fileName('full');
    const good = fileName('iter');
    const bad = fileName('iter');
    // As an SFTP client uploads: under a .part name, renamed once whole.
    writeFileSync(join(folder, `${uploading}.part`), `${newEcid()} ${audienceId}\n`);
    writeFileSync(join(folder, good), `${newEcid()} ${audienceId}\n`);
    writeFileSync(join(folder, bad), `${newEcid()} ${audienceId}\nnot a line\n${newEcid()} ${audienceId}\n12345 ${audienceId}\n`);
    await waitFor('good file processed, bad one rejected', () => existsSync(join(folder, 'processed', good)) && existsSync(join(folder, 'rejected', bad)), { timeoutMs: 60_000 });
    const sftp = openFileTransport(sftpd.location('acme'), sftpd.env);
    try {
      const report = JSON.parse(await text(await sftp.read(`rejected/${bad}.report.json`)));
      expect(report).toMatchObject({ name: bad, state: 'refused', lines: 4, applied: 0, errorCount: 2 });
      expect(report.errors.map((error: { line: number }) => error.line)).toEqual([2, 4]);
      // Two polls took the good file after the upload in progress appeared: it is still there, untouched.
      expect((await sftp.list()).map((entry) => entry.name)).toEqual([`${uploading}.part`]);
      renameSync(join(folder, `${uploading}.part`), join(folder, uploading));
      await waitFor('the finished upload processed', () => existsSync(join(folder, 'processed', uploading)));
    } finally {
      await sftp.close();
    }
    await waitFor('two snapshots applied', async () => (await stack.client(onSftp).imports.get(importId)).snapshots === 2);
    expect(await counter('hub_file_pickups_total', 'outcome="refused"')).toBe(1);
  });

  it('with wrong credentials, says so in the log and a metric, and keeps serving', async () => {
    await waitFor('failures counted on both importers', async () => {
      for (const importer of importers) {
        const metrics = await (await fetch(`${importer.url}/metrics`)).text();
        const failures = metrics.split('\n').find((line) => line.startsWith('hub_file_transport_failures_total{') && line.includes('scheme="sftp"'));
        if (!failures || Number(failures.split(' ').pop()) < 1) return false;
      }
      return true;
    });
    for (const importer of importers) {
      importer.assertRunning();
      expect(importer.output()).toMatch(/pickup from sftp:\/\/.*\/locked.*failed: .*authentication/i);
      expect((await fetch(`${importer.url}/health/ready`)).status).toBe(200);
    }
  });
});
