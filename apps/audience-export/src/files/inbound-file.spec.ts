import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openFileTransport } from '@audience-hub/platform';
import { dpidOf, inboundFileName, inboundLine, splitPlan } from './inbound-file';
import { writeInboundFile } from './inbound-file-writer';

describe('Audience Manager inbound files', () => {
  it('names files ftp_dpm_<DPID>_<10-digit epoch>.sync|.overwrite[.split].gz', () => {
    expect(inboundFileName({ dpid: '21', epochSeconds: 1_700_000_000, kind: 'sync' })).toBe('ftp_dpm_21_1700000000.sync.gz');
    expect(inboundFileName({ dpid: '21', epochSeconds: 1_700_000_000.9, kind: 'overwrite' })).toBe('ftp_dpm_21_1700000000.overwrite.gz');
    expect(inboundFileName({ dpid: '21', epochSeconds: 1_700_000_000, kind: 'sync', split: 2 })).toBe('ftp_dpm_21_1700000000.sync.2.gz');
    expect(() => inboundFileName({ dpid: '21', epochSeconds: 99, kind: 'sync' })).toThrow(/10 digits/);
  });

  it('takes the DPID from the XC data source id, else the integration code', () => {
    expect(dpidOf({ xcDataSourceId: '163447', integrationCode: 'AdobeCampaignID' })).toBe('163447');
    expect(dpidOf({ integrationCode: 'AdobeCampaignID' })).toBe('AdobeCampaignID');
  });

  it('formats lines as <id><TAB>d_sid=N,...,d_unsid=N', () => {
    expect(inboundLine('crm-1', [100001])).toBe('crm-1\td_sid=100001\n');
    expect(inboundLine('crm-1', [], [100001])).toBe('crm-1\td_unsid=100001\n');
    expect(inboundLine('crm-1', [1, 2], [3])).toBe('crm-1\td_sid=1,d_sid=2,d_unsid=3\n');
    expect(() => inboundLine('a\tb', [1])).toThrow();
    expect(() => inboundLine('a', [])).toThrow(/no segment/);
  });

  it('splits large changes and never plans an empty file', () => {
    expect(splitPlan(0, 10)).toEqual([]);
    expect(splitPlan(10, 10)).toEqual([{ firstLine: 0, lineCount: 10 }]);
    expect(splitPlan(25, 10)).toEqual([
      { split: 1, firstLine: 0, lineCount: 10 },
      { split: 2, firstLine: 10, lineCount: 10 },
      { split: 3, firstLine: 20, lineCount: 5 },
    ]);
  });

  it('writes a gzip file atomically whose content is exactly the lines, byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inbound-'));
    try {
      const name = inboundFileName({ dpid: '21', epochSeconds: 1_700_000_000, kind: 'sync' });
      const ecid = '12345678901234567890123456789012345678';
      await writeInboundFile(openFileTransport(`file://${dir}`), name, [inboundLine(ecid, [], [100001]), inboundLine('crm-é', [100001])]);
      expect(readdirSync(dir)).toEqual([name]);
      const bytes = gunzipSync(readFileSync(join(dir, name)));
      expect(bytes).toEqual(Buffer.from(`${ecid}\td_unsid=100001\ncrm-\u00e9\td_sid=100001\n`, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
