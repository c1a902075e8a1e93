import type { FileEntry, FileTransport } from '@audience-hub/platform';
import { importConfigSchema } from '../../config';
import { deleteExpired } from './pickup-retention';
import { SettledFiles } from './settled-files';

const entry = (name: string, size: number, version = 'v1', modifiedAt = new Date()): FileEntry => ({ name, size, version, modifiedAt });

describe('pickup', () => {
  it('takes a file only once two polls saw the same size and version, never an upload in progress', () => {
    const settled = new SettledFiles();
    expect(settled.settle([entry('a.sync', 10), entry('b.sync.gz', 5)])).toEqual([]);
    // a grew between the polls; b did not; c is new; the rest are named as uploads in progress.
    const second = [entry('a.sync', 20), entry('b.sync.gz', 5), entry('c.sync', 1), entry('d.sync.part', 1), entry('e.sync.tmp', 1), entry('.f.sync', 1)];
    expect(settled.settle(second).map((file) => file.name)).toEqual(['b.sync.gz']);
    expect(settled.settle(second).map((file) => file.name)).toEqual(['a.sync', 'b.sync.gz', 'c.sync']);
    // Rewritten under the same name and size: a new version waits again.
    expect(settled.settle([entry('a.sync', 20, 'v2')])).toEqual([]);
  });

  it('deletes from processed/ and rejected/ what is older than the retention, counted from the move', async () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    const hoursAgo = (hours: number) => new Date(now - hours * 3_600_000);
    const folders: Record<string, FileEntry[]> = {
      processed: [entry('old.sync', 1, 'v', hoursAgo(200)), entry('old.sync.report.json', 1, 'v', hoursAgo(200)), entry('new.sync', 1, 'v', hoursAgo(1))],
      rejected: [entry('bad.sync', 1, 'v', hoursAgo(169))],
    };
    const deleted: string[] = [];
    const transport = { list: async (dir: string) => folders[dir] ?? [], delete: async (path: string) => void deleted.push(path) } as unknown as FileTransport;
    expect(await deleteExpired(transport, 168 * 3_600_000, now)).toBe(3);
    expect(deleted.sort()).toEqual(['processed/old.sync', 'processed/old.sync.report.json', 'rejected/bad.sync']);
  });

  it('reads the locations as a JSON object of IMS org id to URL, refusing anything else', () => {
    const orgId = 'A1B2C3D4E5F6A7B8C9D0E1F2@AdobeOrg';
    const parse = (value: string) => importConfigSchema.safeParse({ IMPORT_PICKUP_LOCATIONS: value });
    expect(parse(JSON.stringify({ [orgId]: 's3://bucket/in?region=eu-west-1' })).data?.IMPORT_PICKUP_LOCATIONS).toEqual({ [orgId]: 's3://bucket/in?region=eu-west-1' });
    expect(parse(JSON.stringify({ [orgId]: 'file:///var/hub/in' })).success).toBe(true);
    expect(parse(JSON.stringify({ 'not-an-org': 's3://bucket' })).success).toBe(false);
    expect(parse('s3://bucket').success).toBe(false);
    expect(importConfigSchema.parse({}).IMPORT_PICKUP_LOCATIONS).toEqual({});
  });
});
