import { declaredIdProblem, normalizeAttribute, type NormalizationStep } from '@audience-hub/contracts';
import { EventInBatchFailedError, RejectEventError } from '@audience-hub/messaging';
import type { Attributes } from './recipients.repository';

/**
 * What a batch of recipient upserts does, worked out in memory so that it can be written with a
 * few set-based statements. The result is exactly that of applying the upserts one by one, in
 * order, as the single-event handler did: merge the attributes, then per declared data source
 * normalise the key attribute, drop the id the recipient held if it changed, and take the new one
 * (from whichever recipient held it).
 */

export interface DeclaredSourceKey {
  dataSourceId: string;
  attribute: string;
  normalization: readonly NormalizationStep[];
}

export interface RecipientUpsert {
  recipientId: string;
  attributes: Attributes;
}

export interface DeclaredIdRow {
  dataSourceId: string;
  declaredId: string;
  recipientId: string;
}

/** Per upsert, each source's key value after it (undefined: no value). */
export type KeyValues = ReadonlyArray<string | undefined>;

/**
 * Merges each upsert into the recipient's attributes in order and normalises each source's key.
 * Returns the key values per upsert and the attribute patch per recipient (every upsert merged; in
 * the order of each recipient's last upsert), or
 * throws EventInBatchFailedError for the first upsert whose key value cannot be a declared id (nothing
 * of it may be stored).
 */
export function mergeUpserts(
  upserts: readonly RecipientUpsert[],
  stored: ReadonlyMap<string, Attributes>,
  sources: readonly DeclaredSourceKey[],
): { keyValues: KeyValues[]; patches: Map<string, Attributes> } {
  const current = new Map(stored);
  const patches = new Map<string, Attributes>();
  const keyValues: KeyValues[] = [];
  for (const [index, { recipientId, attributes }] of upserts.entries()) {
    // (Copies only where there is something to merge: attributes are never modified in place.)
    const kept = current.get(recipientId);
    const merged = kept ? { ...kept, ...attributes } : attributes;
    const values = sources.map(({ dataSourceId, attribute, normalization }) => {
      const value = normalizeAttribute(merged[attribute], normalization);
      const problem = value === undefined ? undefined : declaredIdProblem(value);
      if (problem) {
        throw new EventInBatchFailedError(
          index,
          new RejectEventError(`attribute ${attribute} of recipient ${recipientId} is not a valid declared id for ${dataSourceId}: ${problem}`, [
            `data.attributes.${attribute}: ${problem}`,
          ]),
        );
      }
      return value;
    });
    current.set(recipientId, merged);
    const earlier = patches.get(recipientId);
    if (earlier) patches.delete(recipientId); // re-inserted: the patches come in the order of each recipient's last upsert
    patches.set(recipientId, earlier ? { ...earlier, ...attributes } : attributes);
    keyValues.push(values);
  }
  return { keyValues, patches };
}

/**
 * Whether every upsert names every source's key attribute (with a value or null). Then no stored
 * attribute can change a key value, and the stored profiles need not be read: Campaign's full
 * profiles, as at onboarding, name them all.
 */
export function namesEveryKey(upserts: readonly RecipientUpsert[], sources: readonly DeclaredSourceKey[]): boolean {
  return upserts.every(({ attributes }) => sources.every(({ attribute }) => Object.hasOwn(attributes, attribute)));
}

export interface DeclaredIdChanges {
  /** Rows to delete, as they are stored now: the id's link ended. */
  removed: DeclaredIdRow[];
  /** Rows to write over a stored one: the id, held before the batch, now belongs to this recipient. */
  assigned: DeclaredIdRow[];
  /** Rows to add: ids no recipient held before the batch (the common case, onboarding). */
  created: DeclaredIdRow[];
}

/**
 * Replays the key values against the rows held before the batch (every row of the batch's
 * recipients in these sources, and every row of the ids they take) and returns the final state of
 * each id the batch touched.
 */
export function planDeclaredIds(
  upserts: readonly RecipientUpsert[],
  keyValues: readonly KeyValues[],
  sources: readonly DeclaredSourceKey[],
  before: readonly DeclaredIdRow[],
): DeclaredIdChanges {
  // One set of maps per source, keyed by the ids themselves: a composite key string per lookup
  // (source + id) cost a new string to build and hash each time, the plan's largest cost.
  const ofSource = new Map<string, SourceIds>();
  const idsOf = (dataSourceId: string): SourceIds => {
    let ids = ofSource.get(dataSourceId);
    if (!ids) ofSource.set(dataSourceId, (ids = { ownerBefore: new Map(), owner: new Map(), held: new Map(), touched: new Set() }));
    return ids;
  };
  for (const row of before) {
    const ids = idsOf(row.dataSourceId);
    ids.ownerBefore.set(row.declaredId, row);
    ids.owner.set(row.declaredId, row.recipientId);
    ids.held.set(row.recipientId, row.declaredId);
  }
  // Every id the batch touched, in the order first touched.
  const touched: Array<{ ids: SourceIds; dataSourceId: string; declaredId: string }> = [];
  const touch = (ids: SourceIds, dataSourceId: string, declaredId: string) => {
    if (ids.touched.has(declaredId)) return;
    ids.touched.add(declaredId);
    touched.push({ ids, dataSourceId, declaredId });
  };
  const sourceIds = sources.map(({ dataSourceId }) => idsOf(dataSourceId));
  for (const [index, { recipientId }] of upserts.entries()) {
    for (const [s, { dataSourceId }] of sources.entries()) {
      const ids = sourceIds[s];
      const next = keyValues[index][s];
      const current = ids.held.get(recipientId);
      if (current === next) continue;
      if (current !== undefined) {
        ids.owner.set(current, null);
        ids.held.delete(recipientId);
        touch(ids, dataSourceId, current);
      }
      if (next !== undefined) {
        const previous = ids.owner.get(next);
        if (previous) ids.held.delete(previous);
        ids.owner.set(next, recipientId);
        ids.held.set(recipientId, next);
        touch(ids, dataSourceId, next);
      }
    }
  }
  const changes: DeclaredIdChanges = { removed: [], assigned: [], created: [] };
  for (const { ids, dataSourceId, declaredId } of touched) {
    const recipientId = ids.owner.get(declaredId);
    const held = ids.ownerBefore.has(declaredId);
    if (recipientId) (held ? changes.assigned : changes.created).push({ dataSourceId, declaredId, recipientId });
    else if (held) changes.removed.push(ids.ownerBefore.get(declaredId)!);
  }
  return changes;
}

/** One source's ids during a plan: who held each before, who holds it now, what each recipient holds. */
interface SourceIds {
  ownerBefore: Map<string, DeclaredIdRow>;
  owner: Map<string, string | null>;
  held: Map<string, string>;
  touched: Set<string>;
}
