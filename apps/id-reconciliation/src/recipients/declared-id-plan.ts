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
    const merged = { ...current.get(recipientId), ...attributes };
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
    const patch = { ...patches.get(recipientId), ...attributes };
    patches.delete(recipientId); // re-inserted: the patches come in the order of each recipient's last upsert
    patches.set(recipientId, patch);
    keyValues.push(values);
  }
  return { keyValues, patches };
}

export interface DeclaredIdChanges {
  /** Rows to delete, as they are stored now: the id's link ended. */
  removed: DeclaredIdRow[];
  /** Rows to write: the id now belongs to this recipient. */
  assigned: DeclaredIdRow[];
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
  const idKey = (dataSourceId: string, declaredId: string) => `${dataSourceId}\u0000${declaredId}`;
  const holdKey = (dataSourceId: string, recipientId: string) => `${dataSourceId}\u0000${recipientId}`;
  const ownerBefore = new Map<string, DeclaredIdRow>();
  const owner = new Map<string, string | null>();
  const held = new Map<string, string>();
  for (const row of before) {
    ownerBefore.set(idKey(row.dataSourceId, row.declaredId), row);
    owner.set(idKey(row.dataSourceId, row.declaredId), row.recipientId);
    held.set(holdKey(row.dataSourceId, row.recipientId), row.declaredId);
  }
  const touched = new Map<string, { dataSourceId: string; declaredId: string }>();
  for (const [index, { recipientId }] of upserts.entries()) {
    for (const [s, { dataSourceId }] of sources.entries()) {
      const next = keyValues[index][s];
      const current = held.get(holdKey(dataSourceId, recipientId));
      if (current === next) continue;
      if (current !== undefined) {
        owner.set(idKey(dataSourceId, current), null);
        held.delete(holdKey(dataSourceId, recipientId));
        touched.set(idKey(dataSourceId, current), { dataSourceId, declaredId: current });
      }
      if (next !== undefined) {
        const previous = owner.get(idKey(dataSourceId, next));
        if (previous) held.delete(holdKey(dataSourceId, previous));
        owner.set(idKey(dataSourceId, next), recipientId);
        held.set(holdKey(dataSourceId, recipientId), next);
        touched.set(idKey(dataSourceId, next), { dataSourceId, declaredId: next });
      }
    }
  }
  const changes: DeclaredIdChanges = { removed: [], assigned: [] };
  for (const [key, { dataSourceId, declaredId }] of touched) {
    const recipientId = owner.get(key);
    if (recipientId) changes.assigned.push({ dataSourceId, declaredId, recipientId });
    else if (ownerBefore.has(key)) changes.removed.push(ownerBefore.get(key)!);
  }
  return changes;
}
