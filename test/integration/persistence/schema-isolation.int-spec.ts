import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { MESSAGING_MIGRATIONS } from '@audience-hub/messaging';
import { testEnv } from '@audience-hub/testing';
import { createServiceDataSource, migrateServiceSchema } from '@audience-hub/persistence';

const env = testEnv();

async function migrateAs(service: 'id-reconciliation' | 'audience-export', schema: string): Promise<DataSource> {
  const dataSource = createServiceDataSource({ url: env.serviceDatabaseUrl(service), schema, migrations: MESSAGING_MIGRATIONS });
  await dataSource.initialize();
  await migrateServiceSchema(dataSource);
  return dataSource;
}

describe('schema isolation between service roles', () => {
  let idrec: DataSource;
  let exporter: DataSource;
  let exportClient: Client;

  beforeAll(async () => {
    idrec = await migrateAs('id-reconciliation', 'idrec');
    exporter = await migrateAs('audience-export', 'audience_export');
    exportClient = new Client({ connectionString: env.serviceDatabaseUrl('audience-export') });
    await exportClient.connect();
  });

  afterAll(async () => {
    await exportClient.end();
    await idrec.destroy();
    await exporter.destroy();
  });

  it('lets a service role use its own schema', async () => {
    await exportClient.query(`INSERT INTO audience_export.inbox_events (consumer_group, event_id) VALUES ('g', gen_random_uuid())`);
    const { rows } = await exportClient.query(`SELECT count(*)::int AS n FROM audience_export.inbox_events`);
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it("denies reading or writing another service's schema", async () => {
    await expect(exportClient.query(`SELECT * FROM idrec.outbox_events`)).rejects.toThrow(/permission denied for schema idrec/);
    await expect(exportClient.query(`INSERT INTO idrec.inbox_events (consumer_group, event_id) VALUES ('g', gen_random_uuid())`)).rejects.toThrow(
      /permission denied for schema idrec/,
    );
    await expect(exportClient.query(`CREATE TABLE idrec.intruder (id int)`)).rejects.toThrow(/permission denied for schema idrec/);
  });

  it('denies the public schema', async () => {
    await expect(exportClient.query(`CREATE TABLE public.shared_by_mistake (id int)`)).rejects.toThrow(/permission denied for schema public/);
  });

  it('keeps each role out of the other direction too', async () => {
    await expect(idrec.query(`SELECT * FROM audience_export.inbox_events`)).rejects.toThrow(/permission denied for schema audience_export/);
  });
});
