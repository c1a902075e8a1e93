/**
 * Audience Manager inbound (onboarding) files, DESIGN section 6: name
 * `ftp_dpm_<DPID>_<10-digit epoch s>(.sync|.overwrite)[.<split>].gz`, UTF-8, gzip, one line
 * `<id><TAB>d_sid=N,...` per id (removals as `d_unsid=N`), at most 200 lines per id, never empty.
 */

/** Audience Manager keeps only the first 200 lines of one id in one file. */
export const MAX_LINES_PER_ID = 200;

export interface InboundFileName {
  dpid: string;
  epochSeconds: number;
  /** `.overwrite` replaces what the data source holds for the ids; `.sync` adds to it. */
  kind: 'sync' | 'overwrite';
  /** 1-based split number when one change needs several files. */
  split?: number;
}

export function inboundFileName({ dpid, epochSeconds, kind, split }: InboundFileName): string {
  if (!/^[A-Za-z0-9]+$/.test(dpid)) throw new Error(`DPID must be alphanumeric: ${dpid}`);
  const epoch = String(Math.floor(epochSeconds));
  if (epoch.length !== 10) throw new Error(`epoch seconds must have 10 digits: ${epoch}`);
  return `ftp_dpm_${dpid}_${epoch}.${kind}${split === undefined ? '' : `.${split}`}.gz`;
}

/** DPID of a data source: its Audience Manager data source id, else its integration code. */
export function dpidOf(dataSource: { xcDataSourceId?: string; integrationCode: string }): string {
  return (dataSource.xcDataSourceId ?? dataSource.integrationCode).replace(/[^A-Za-z0-9]/g, '');
}

/** One inbound line: the id, a tab, then the segments it enters and leaves. */
export function inboundLine(id: string, added: readonly number[], removed: readonly number[] = []): string {
  if (id.length === 0 || /[\t\r\n]/.test(id)) throw new Error('an inbound id must be non-empty and hold no tab or line break');
  const traits = [...added.map((segment) => `d_sid=${segment}`), ...removed.map((segment) => `d_unsid=${segment}`)];
  if (traits.length === 0) throw new Error(`line for ${id} names no segment`);
  return `${id}\t${traits.join(',')}\n`;
}

/** How a change of `lineCount` lines is spread over files of at most `maxLines` lines: [firstLine, count] each. */
export function splitPlan(lineCount: number, maxLines: number): Array<{ split?: number; firstLine: number; lineCount: number }> {
  if (lineCount <= 0) return []; // no empty files
  if (lineCount <= maxLines) return [{ firstLine: 0, lineCount }];
  const files: Array<{ split?: number; firstLine: number; lineCount: number }> = [];
  for (let first = 0, split = 1; first < lineCount; first += maxLines, split++) {
    files.push({ split, firstLine: first, lineCount: Math.min(maxLines, lineCount - first) });
  }
  return files;
}
