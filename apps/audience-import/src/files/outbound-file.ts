import { ENTITY_ID_PATTERN, xcIdError, type IdType } from '@audience-hub/contracts';

/**
 * Audience Manager outbound ("sync") files, DESIGN section 6: name in AAM's own syntax
 * `[SYNC_TYPE][_DID][_MASTER_DPID][_PID_ALIAS][_SYNC-MODE][_TIMESTAMP]SPLITNUM.sync[.gz]`, every
 * element optional; line `<ECID or declared id><SP><segment ids added, comma-separated><SP><segment ids removed>`.
 */
export interface OutboundFileName {
  syncType?: string;
  destinationId?: string;
  /**
   * MASTER_DPID, which names the data source the file's ids belong to; '' when the name has none
   * (no data source has an empty xcDataSourceId, so the built-in visitor source applies).
   */
  dpid: string;
  alias?: string;
  /** `full` files replace, `iter` files are deltas; a name without SYNC_MODE is a delta. */
  mode: 'full' | 'delta';
  timestamp?: Date;
  /** Undefined for an unsplit file. */
  split?: number;
  gzip: boolean;
}

const EXPECTED =
  '[SYNC_TYPE][_DID][_MASTER_DPID][_PID_ALIAS][_iter|_full][_TIMESTAMP[SPLIT]].sync[.gz], every element optional ' +
  '(SYNC_TYPE a letter then letters and digits, DID and MASTER_DPID digits, PID_ALIAS letters, digits, "." and "-", ' +
  'TIMESTAMP 13 digits of ms, SPLIT 3 or more digits or -N)';
const EXTENSION = /\.sync(\.gz)?$/;
const SYNC_TYPE = /^[A-Za-z][A-Za-z0-9]*$/;
const NUMBER = /^[0-9]+$/;
const ALIAS = /^[A-Za-z0-9.-]+$/;
const TIMESTAMP = /^([0-9]{13})(?:([0-9]{3,})|-([0-9]+))?$/;

/**
 * Reads the elements from both ends: TIMESTAMP[SPLIT] then SYNC_MODE off the end, SYNC_TYPE off the
 * front, then the numbers, then PID_ALIAS. Two numbers are DID and MASTER_DPID; a lone number is the
 * MASTER_DPID, since that is what names the data source (reading a DPID as a DID would silently
 * import into the wrong source; the DID is not used). A name that starts with a number has no
 * SYNC_TYPE (AAM writes `_1234_...`; the leading underscore is optional here).
 */
export function parseOutboundFileName(name: string): OutboundFileName | { error: string } {
  const refuse = (why: string) => ({ error: `file name "${name.slice(0, 200)}" ${why}; expected ${EXPECTED}` });
  const extension = EXTENSION.exec(name);
  if (!extension) return refuse('does not end in .sync or .sync.gz');
  const elements = name.slice(0, extension.index).split('_');

  let timestamp: Date | undefined;
  let split: number | undefined;
  // A last element starting with 13 digits can only be the timestamp (AAM's ids are far shorter), so it must be well formed.
  if (/^[0-9]{13}/.test(elements.at(-1)!)) {
    const stamp = TIMESTAMP.exec(elements.pop()!);
    if (!stamp) return refuse('has a timestamp that is not 13 digits, optionally followed by a split of 3 or more digits or -N');
    timestamp = new Date(Number(stamp[1]));
    const splitDigits = stamp[2] ?? stamp[3];
    split = splitDigits === undefined ? undefined : Number(splitDigits);
  }
  const syncMode = elements.at(-1) === 'iter' || elements.at(-1) === 'full' ? elements.pop() : undefined;

  // SYNC_TYPE is the only element without a leading underscore, so a name starting with '_' has none.
  const head = elements.length > 0 && !NUMBER.test(elements[0]) ? elements.shift()! : undefined;
  if (head !== undefined && head !== '' && !SYNC_TYPE.test(head))
    return refuse(`starts with "${head.slice(0, 80)}", which is no SYNC_TYPE (without one, a name starts with "_" or a number)`);
  const numbers: string[] = [];
  while (numbers.length < 2 && elements.length > 0 && NUMBER.test(elements[0])) numbers.push(elements.shift()!);
  const alias = elements.length > 0 && ALIAS.test(elements[0]) ? elements.shift() : undefined;
  if (elements.length > 0) {
    return refuse(elements[0] === '' ? 'has an empty element (a doubled or trailing underscore)' : `has "${elements[0].slice(0, 80)}" where no element fits`);
  }

  const syncType = head || undefined;
  if (!syncType && numbers.length === 0 && !alias && !syncMode && !timestamp) return refuse('names no element');
  const [destinationId, dpid = ''] = numbers.length === 2 ? numbers : [undefined, numbers[0]];
  return { syncType, destinationId, dpid, alias, mode: syncMode === 'full' ? 'full' : 'delta', timestamp, split, gzip: extension[1] !== undefined };
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
