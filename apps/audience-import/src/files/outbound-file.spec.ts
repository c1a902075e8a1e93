import { exampleEcid } from '@audience-hub/contracts';
import { parseOutboundFileName, parseOutboundLine } from './outbound-file';

describe('outbound file names', () => {
  it('reads every element of an iter file name', () => {
    expect(parseOutboundFileName('S3_1234_20914_acme_iter_1486140844000-1.sync')).toEqual({
      syncType: 'S3',
      destinationId: '1234',
      dpid: '20914',
      alias: 'acme',
      mode: 'delta',
      timestamp: new Date(1486140844000),
      split: 1,
      gzip: false,
    });
  });

  it('reads full and gzipped files', () => {
    expect(parseOutboundFileName('FTP_1_2_a.b-c_full_1486140844000-0.sync.gz')).toMatchObject({ mode: 'full', gzip: true, alias: 'a.b-c' });
  });

  it.each([
    'S3_1234_20914_acme_iter_148614084400-1.sync', // 12-digit timestamp
    'S3_1234_20914_acme_weekly_1486140844000-1.sync',
    'S3_1234_20914_acme_iter_1486140844000.sync', // no split
    'S3_1234_20914_acme_iter_1486140844000-1.overwrite',
    '../S3_1234_20914_acme_iter_1486140844000-1.sync',
    'S3_abc_20914_acme_iter_1486140844000-1.sync',
  ])('refuses %s', (name) => {
    expect(parseOutboundFileName(name)).toHaveProperty('error');
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
