import { ENTITY_ID_PATTERN, xcIdError, type IdType } from '@audience-hub/contracts';

/**
 * Audience Manager outbound ("sync") files, DESIGN section 6:
 * name `<type>_<destId>_<dpid>_<alias>_<iter|full>_<13-digit ms>-<split>.sync[.gz]`,
 * line `<ECID or declared id><SP><segment ids added, comma-separated><SP><segment ids removed>`.
 */
export interface OutboundFileName {
  syncType: string;
  destinationId: string;
  /** The data provider id: which data source the ids of the file belong to. */
  dpid: string;
  alias: string;
  /** `full` files replace, `iter` files are deltas. */
  mode: 'full' | 'delta';
  timestamp: Date;
  split: number;
  gzip: boolean;
}

const NAME = /^([A-Za-z0-9]+)_([0-9]+)_([0-9]+)_([A-Za-z0-9.-]+)_(iter|full)_([0-9]{13})-([0-9]+)\.sync(\.gz)?$/;

export function parseOutboundFileName(name: string): OutboundFileName | { error: string } {
  const match = NAME.exec(name);
  if (!match) {
    return { error: `file name "${name.slice(0, 200)}" is not <type>_<destId>_<dpid>_<alias>_<iter|full>_<13-digit ms>-<split>.sync[.gz]` };
  }
  const [, syncType, destinationId, dpid, alias, syncMode, ms, split, gz] = match;
  return { syncType, destinationId, dpid, alias, mode: syncMode === 'full' ? 'full' : 'delta', timestamp: new Date(Number(ms)), split: Number(split), gzip: gz !== undefined };
}

export type OutboundLine =
  | { ok: true; id: string; added: string[]; removed: string[] }
  /** `segments` are given when only the id was wrong, so the record is counted against its audiences. */
  | { ok: false; reason: string; segments?: string[] };

/** Parses one line; `idType` is the file's data source's, which the id must match. */
export function parseOutboundLine(raw: string, idType: IdType): OutboundLine {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.trim() === '') return { ok: false, reason: 'empty line' };
  const fields = line.split(' ');
  if (fields.length < 2 || fields.length > 3) {
    return { ok: false, reason: `expected "<id> <segments added> <segments removed>" separated by single spaces, got ${fields.length} field${fields.length === 1 ? '' : 's'}` };
  }
  const [id, addedField, removedField = ''] = fields;
  const added = segmentsOf(addedField);
  const removed = segmentsOf(removedField);
  const badSegment = [...added, ...removed].find((segment) => !ENTITY_ID_PATTERN.test(segment));
  if (badSegment !== undefined) return { ok: false, reason: `segment id "${badSegment.slice(0, 80)}" is not 1..64 of A-Z a-z 0-9 . _ : -` };
  if (added.length === 0 && removed.length === 0) return { ok: false, reason: 'no segment added or removed' };
  const idError = xcIdError(idType, id);
  if (idError !== undefined) return { ok: false, reason: `id: ${idError}`, segments: [...new Set([...added, ...removed])] };
  return { ok: true, id, added, removed };
}

function segmentsOf(field: string): string[] {
  return field === '' ? [] : field.split(',');
}
