import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { Client } from 'pg';
import { EventTypes, Topics, createEvent } from '@audience-hub/contracts';
import { openFileTransport } from '@audience-hub/platform';
import { ImsTestClient, KafkaProbe, S3ProxyServer, launchService, type RunningService } from '@audience-hub/testing';
import { report, type BenchEnv, type Measurement } from './bench-env';
import { asTestEnv, createFullImport, ecid, loadVisitorLinks, orgKnown, seconds, textChunks, upload } from './import.bench';

const MEMBERS = Number(process.env.BENCH_FILES_MEMBERS ?? 1_000_000);

/**
 * An Audience Manager outbound file of MEMBERS lines, gzip, imported end to end two ways through
 * the real services: picked up from an S3 bucket (S3Proxy, a real S3 server) by audience-import's
 * poller, and, as the same-run baseline, uploaded through `POST /v1/files`. The clock runs from the
 * file's arrival (the PUT into the bucket, the upload's start) until campaign.import.completed is
 * on Kafka. Target (issue 19): the S3 path costs no more than 20% over the upload.
 */
export async function filesBench(env: BenchEnv): Promise<Record<string, unknown>> {
  const testEnv = asTestEnv(env);
  const admin = new Client({ connectionString: env.databaseUrl });
  await admin.connect();
  const probe = new KafkaProbe(env.kafkaBrokers);
  const [ims, s3] = await Promise.all([ImsTestClient.start(testEnv), S3ProxyServer.start()]);
  s3.createBucket('outbound');
  const bucket = openFileTransport(s3.location('outbound', 'aam'), s3.env);
  const services: RunningService[] = [];
  try {
    const tenant = await ims.tenant(['audiences.read', 'audiences.write']);
    const orgId = tenant.orgId;
    const [idrec, importer] = await Promise.all([
      launchService('id-reconciliation', testEnv.serviceEnv('id-reconciliation', { ...ims.trustEnv, LOG_LEVEL: 'warn' })),
      launchService(
        'audience-import',
        testEnv.serviceEnv('audience-import', {
          ...ims.trustEnv,
          ...s3.env,
          LOG_LEVEL: 'warn',
          IMPORT_PICKUP_LOCATIONS: JSON.stringify({ [orgId]: s3.location('outbound', 'aam') }),
          IMPORT_PICKUP_POLL_MS: '200',
        }),
      ),
    ]);
    services.push(idrec, importer);
    await probe.publish(Topics.imsEvents, [
      createEvent({ type: EventTypes.imsOrgCreated, source: '/bench', orgId, aggregateId: orgId, data: { orgId, name: 'Bench', createdAt: new Date().toISOString() } }),
    ]);
    await orgKnown(admin, orgId);
    await loadVisitorLinks(admin, orgId, MEMBERS);
    await probe.listen([Topics.campaignImports]);
    const completed = (importId: string) =>
      probe.waitFor('import completed', (m) => m.json?.type === EventTypes.campaignImportCompleted && m.json.data.importId === importId, 1, 600_000);

    /** The file's gzip bytes, made before the clock starts. */
    const gzipped = async (segment: string): Promise<Buffer[]> => {
      const parts: Buffer[] = [];
      for await (const part of Readable.from(textChunks((i) => `${ecid(i)} ${segment} \n`, MEMBERS)).pipe(createGzip())) parts.push(part as Buffer);
      return parts;
    };
    const name = (segment: string) => `S3_1_0_bench_full_${Date.now()}-0.sync.gz`.replace('bench', `bench${segment}`);

    // Baseline: the file uploaded.
    const uploadImport = await createFullImport(probe, importer, tenant, '910001');
    const uploadBody = await gzipped('910001');
    const uploadStart = process.hrtime.bigint();
    const uploaded = await upload(`${importer.url}/v1/files?name=${name('910001')}`, tenant.auth, uploadBody);
    if (uploaded.status !== 200) throw new Error(`upload: ${uploaded.status} ${uploaded.body}`);
    await completed(uploadImport);
    const uploadSeconds = seconds(uploadStart);

    // The same file put into the bucket, where the poller takes it.
    const pickupImport = await createFullImport(probe, importer, tenant, '910002');
    const pickupBody = await gzipped('910002');
    const pickupStart = process.hrtime.bigint();
    await bucket.write(name('910002'), Readable.from(pickupBody));
    const written = seconds(pickupStart);
    const [outcome] = await completed(pickupImport);
    const pickupSeconds = seconds(pickupStart);

    const baseline: Measurement = { name: 'outbound file uploaded (POST /v1/files)', count: MEMBERS, unit: 'members', seconds: uploadSeconds };
    const pickup: Measurement = { name: 'outbound file picked up from S3', count: MEMBERS, unit: 'members', seconds: pickupSeconds };
    return report(`files: ${MEMBERS.toLocaleString('en-US')}-line gzip outbound file picked up from S3 and imported (target: <= 1.2x the upload's time)`, pickup, baseline, {
      'members added': outcome.json?.data?.counts?.added,
      'file in the bucket after': `${written.toFixed(2)} s`,
      'S3 path over the upload': `${(pickupSeconds / uploadSeconds).toFixed(2)}x`,
      'gzip size': `${(pickupBody.reduce((n, part) => n + part.length, 0) / 2 ** 20).toFixed(1)} MB`,
    });
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    await Promise.all([ims.stop(), bucket.close(), probe.close()]);
    await s3.stop();
    await admin.end();
  }
}
