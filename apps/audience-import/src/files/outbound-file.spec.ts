import { exampleEcid } from '@audience-hub/contracts';
import { parseOutboundFileName, parseOutboundLine } from './outbound-file';

describe('outbound file names', () => {
  const ms = 1486140844000;
  const all = { syncType: 'S3', destinationId: '1234', dpid: '20914', alias: 'XYZCustomer', mode: 'delta', timestamp: new Date(ms) };

  it("reads AAM's own examples, the original file and its first split, gzipped or not", () => {
    expect(parseOutboundFileName('S3_1234_20914_XYZCustomer_iter_1486140844000.sync.gz')).toEqual({ ...all, split: undefined, gzip: true });
    expect(parseOutboundFileName('S3_1234_20914_XYZCustomer_iter_1486140844000001.sync.gz')).toEqual({ ...all, split: 1, gzip: true });
    expect(parseOutboundFileName('S3_1234_20914_XYZCustomer_iter_1486140844000.sync')).toEqual({ ...all, split: undefined, gzip: false });
    expect(parseOutboundFileName('S3_1234_20914_XYZCustomer_full_1486140844000002.sync')).toEqual({ ...all, mode: 'full', split: 2, gzip: false });
  });

  it.each([
    ['1486140844000', { timestamp: new Date(ms), split: undefined }],
    ['1486140844000001', { timestamp: new Date(ms), split: 1 }],
    ['1486140844000042', { timestamp: new Date(ms), split: 42 }],
    ['1486140844000123', { timestamp: new Date(ms), split: 123 }],
    ['14861408440001000', { timestamp: new Date(ms), split: 1000 }], // past 999 splits, more digits
    ['1486140844000-1', { timestamp: new Date(ms), split: 1 }],
    ['1486140844000-0', { timestamp: new Date(ms), split: 0 }],
    ['1486140844000-12', { timestamp: new Date(ms), split: 12 }],
  ])('reads the timestamp and split of %s', (stamp, expected) => {
    expect(parseOutboundFileName(`S3_1234_20914_acme_iter_${stamp}.sync`)).toMatchObject(expected);
  });

  it('keeps reading the -N names it read before', () => {
    expect(parseOutboundFileName('S3_1234_20914_acme_iter_1486140844000-1.sync')).toEqual({
      syncType: 'S3',
      destinationId: '1234',
      dpid: '20914',
      alias: 'acme',
      mode: 'delta',
      timestamp: new Date(ms),
      split: 1,
      gzip: false,
    });
    expect(parseOutboundFileName('FTP_1_2_a.b-c_full_1486140844000-0.sync.gz')).toMatchObject({ mode: 'full', gzip: true, alias: 'a.b-c', split: 0 });
    // the names the e2e tests, the demo and the benchmark upload
    expect(parseOutboundFileName(`S3_1234_0_acme_full_${ms}-0.sync.gz`)).toMatchObject({ destinationId: '1234', dpid: '0', alias: 'acme', mode: 'full', split: 0 });
    expect(parseOutboundFileName(`S3_1234_123456_demo_iter_${ms}-1.sync.gz`)).toMatchObject({ dpid: '123456', alias: 'demo', mode: 'delta', split: 1 });
    expect(parseOutboundFileName(`S3_1_0_bench_full_${ms}-0.sync`)).toMatchObject({ destinationId: '1', dpid: '0', alias: 'bench', mode: 'full' });
  });

  describe('every element missing in turn', () => {
    it.each([
      ['SYNC_TYPE', '_1234_20914_XYZCustomer_iter_1486140844000.sync', { syncType: undefined }],
      ['SYNC_TYPE, without its underscore', '1234_20914_XYZCustomer_iter_1486140844000.sync', { syncType: undefined }],
      ['DID (the lone number is the MASTER_DPID)', 'S3_20914_XYZCustomer_iter_1486140844000.sync', { destinationId: undefined }],
      ['MASTER_DPID (the lone number is read as one)', 'S3_20914_XYZCustomer_iter_1486140844000.sync', { destinationId: undefined }],
      ['DID and MASTER_DPID', 'S3_XYZCustomer_iter_1486140844000.sync', { destinationId: undefined, dpid: '' }],
      ['PID_ALIAS', 'S3_1234_20914_iter_1486140844000.sync', { alias: undefined }],
      ['SYNC_MODE (a delta)', 'S3_1234_20914_XYZCustomer_1486140844000.sync', {}],
      ['TIMESTAMP', 'S3_1234_20914_XYZCustomer_iter.sync', { timestamp: undefined }],
    ])('%s', (_, name, missing) => {
      expect(parseOutboundFileName(name)).toEqual({ ...all, split: undefined, gzip: false, ...missing });
    });

    it('all but one', () => {
      expect(parseOutboundFileName('S3.sync')).toEqual({ syncType: 'S3', dpid: '', mode: 'delta', gzip: false });
      expect(parseOutboundFileName('_1234.sync')).toEqual({ dpid: '1234', mode: 'delta', gzip: false });
      expect(parseOutboundFileName('20914.sync.gz')).toEqual({ dpid: '20914', mode: 'delta', gzip: true });
      expect(parseOutboundFileName('_XYZCustomer.sync')).toEqual({ alias: 'XYZCustomer', dpid: '', mode: 'delta', gzip: false });
      expect(parseOutboundFileName('full.sync')).toEqual({ dpid: '', mode: 'full', gzip: false });
      expect(parseOutboundFileName('_iter.sync')).toEqual({ dpid: '', mode: 'delta', gzip: false });
      expect(parseOutboundFileName('1486140844000001.sync')).toEqual({ dpid: '', mode: 'delta', timestamp: new Date(ms), split: 1, gzip: false });
    });

    it('reads two numbers as DID and MASTER_DPID, a third as the PID_ALIAS', () => {
      expect(parseOutboundFileName('S3_1234_20914_iter.sync')).toMatchObject({ destinationId: '1234', dpid: '20914', alias: undefined });
      expect(parseOutboundFileName('S3_1234_20914_555_iter.sync')).toMatchObject({ destinationId: '1234', dpid: '20914', alias: '555' });
      expect(parseOutboundFileName('1234_20914.sync')).toMatchObject({ syncType: undefined, destinationId: '1234', dpid: '20914' });
    });

    it('reads a word alone before the numbers as SYNC_TYPE, after them as PID_ALIAS', () => {
      expect(parseOutboundFileName('XYZCustomer_iter_1486140844000.sync')).toMatchObject({ syncType: 'XYZCustomer', alias: undefined });
      expect(parseOutboundFileName('_20914_XYZCustomer.sync')).toMatchObject({ syncType: undefined, dpid: '20914', alias: 'XYZCustomer' });
    });
  });

  it.each([
    ['S3_1234_20914_acme_iter_148614084400-1.sync', 'where no element fits'], // 12-digit timestamp
    ['S3_1234_20914_acme_iter_148614084400.sync', 'where no element fits'],
    ['S3_1234_20914_acme_iter_14861408440001.sync', 'timestamp'], // 1 split digit
    ['S3_1234_20914_acme_iter_148614084400001.sync', 'timestamp'], // 2 split digits
    ['S3_1234_20914_acme_iter_1486140844000-.sync', 'timestamp'],
    ['S3_1234_20914_acme_iter_1486140844000-x.sync', 'timestamp'],
    ['S3_1234_20914_acme_weekly_1486140844000-1.sync', '"weekly" where no element fits'],
    ['S3_1234_20914_acme_iter_1486140844000-1.overwrite', 'does not end in .sync or .sync.gz'],
    ['S3_1234_20914_acme_iter_1486140844000.sync.zip', 'does not end in .sync or .sync.gz'],
    ['S3_1234_20914_acme_iter_1486140844000.SYNC', 'does not end in .sync or .sync.gz'],
    ['../S3_1234_20914_acme_iter_1486140844000-1.sync', 'starts with "../S3", which is no SYNC_TYPE'],
    ['not-an-outbound-file.sync', 'starts with "not-an-outbound-file", which is no SYNC_TYPE'], // the e2e test's bad name
    ['a.b-c_full_1486140844000.sync', 'which is no SYNC_TYPE'], // a PID_ALIAS without SYNC_TYPE is written _a.b-c
    ['S3_abc_20914_acme_iter_1486140844000-1.sync', '"20914" where no element fits'],
    ['S3_iter_1234_1486140844000.sync', '"1234" where no element fits'], // out of order: iter is read as the PID_ALIAS
    ['S3_1234__acme_iter.sync', 'empty element'],
    ['S3_1234_.sync', 'empty element'],
    ['S3_1234_20914_a/b_iter.sync', '"a/b" where no element fits'],
    ['S3 1234.sync', 'which is no SYNC_TYPE'],
    ['.sync', 'names no element'],
    ['.sync.gz', 'names no element'],
    ['', 'does not end in .sync'],
  ])('refuses %s, saying what was expected', (name, why) => {
    const parsed = parseOutboundFileName(name);
    expect(parsed).toEqual({ error: expect.stringContaining(why) });
    expect((parsed as { error: string }).error).toContain('expected [SYNC_TYPE][_DID][_MASTER_DPID][_PID_ALIAS][_iter|_full][_TIMESTAMP[SPLIT]].sync[.gz]');
  });

  it('quotes at most 200 characters of a long name', () => {
    const { error } = parseOutboundFileName(`${'x'.repeat(1000)}.txt`) as { error: string };
    expect(error).toContain(`"${'x'.repeat(200)}"`);
    expect(error).not.toContain('x'.repeat(201));
  });
});

describe('outbound lines', () => {
  const ecid = exampleEcid(7);

  it('reads an id, the segments added and the segments removed', () => {
    expect(parseOutboundLine(`${ecid} 11,12 13`, 'visitor')).toEqual({ ok: true, id: ecid, added: ['11', '12'], removed: ['13'] });
  });

  it('accepts no removed field, an empty added field, and a CRLF ending', () => {
    expect(parseOutboundLine(`${ecid} 11`, 'visitor')).toEqual({ ok: true, id: ecid, added: ['11'], removed: [] });
    expect(parseOutboundLine(`${ecid}  13\r`, 'visitor')).toEqual({ ok: true, id: ecid, added: [], removed: ['13'] });
  });

  it('reads declared ids for declared data sources', () => {
    expect(parseOutboundLine('crm-42 11 ', 'declared')).toEqual({ ok: true, id: 'crm-42', added: ['11'], removed: [] });
  });

  it('names the reason of a malformed line', () => {
    expect(parseOutboundLine('', 'visitor')).toEqual({ ok: false, reason: 'empty line' });
    expect(parseOutboundLine(ecid, 'visitor')).toMatchObject({ ok: false, reason: expect.stringContaining('got 1 field') });
    expect(parseOutboundLine(`${ecid} 1 2 3`, 'visitor')).toMatchObject({ ok: false, reason: expect.stringContaining('got 4 fields') });
    expect(parseOutboundLine(`${ecid} 1;2`, 'visitor')).toMatchObject({ ok: false, reason: expect.stringContaining('segment id "1;2"') });
    expect(parseOutboundLine(`${ecid}  `, 'visitor')).toEqual({ ok: false, reason: 'no segment added or removed' });
  });

  it('reports an id of the wrong kind with the segments it was for, so it is counted', () => {
    expect(parseOutboundLine('12345 11,12 11', 'visitor')).toEqual({ ok: false, reason: 'id: ECID must be exactly 38 decimal digits', segments: ['11', '12'] });
    expect(parseOutboundLine('a:b 11', 'declared')).toMatchObject({ ok: false, reason: 'id: declared ID must not contain ":"', segments: ['11'] });
  });
});
