import fc from 'fast-check';
import { EventInBatchFailedError, RejectEventError } from '@audience-hub/messaging';
import { mergeUpserts, namesEveryKey, planDeclaredIds, type DeclaredIdRow, type DeclaredSourceKey, type RecipientUpsert } from './declared-id-plan';
import type { Attributes } from './recipients.repository';

const crm: DeclaredSourceKey = { dataSourceId: 'crm', attribute: 'crmId', normalization: ['trim'] };
const mail: DeclaredSourceKey = { dataSourceId: 'mail', attribute: 'email', normalization: ['trim', 'lowercase'] };
const sources = [crm, mail];
const key = (row: DeclaredIdRow) => `${row.dataSourceId}/${row.declaredId}`;

/** The single-event handler this batch replaces, over an in-memory table: the reference. */
function oneByOne(upserts: readonly RecipientUpsert[], stored: Map<string, Attributes>, rows: DeclaredIdRow[]): Map<string, string> {
  const attributes = new Map(stored);
  const table = new Map(rows.map((row) => [key(row), row]));
  for (const { recipientId, attributes: patch } of upserts) {
    const merged = { ...attributes.get(recipientId), ...patch };
    attributes.set(recipientId, merged);
    for (const source of sources) {
      const raw = merged[source.attribute];
      const next = typeof raw === 'string' && raw.trim() ? (source.normalization.includes('lowercase') ? raw.trim().toLowerCase() : raw.trim()) : undefined;
      const current = [...table.values()].find((row) => row.dataSourceId === source.dataSourceId && row.recipientId === recipientId)?.declaredId;
      if (current === next) continue;
      if (current !== undefined) table.delete(`${source.dataSourceId}/${current}`);
      if (next !== undefined) table.set(`${source.dataSourceId}/${next}`, { dataSourceId: source.dataSourceId, declaredId: next, recipientId });
    }
  }
  return new Map([...table].map(([k, row]) => [k, row.recipientId]));
}

function planned(upserts: readonly RecipientUpsert[], stored: Map<string, Attributes>, rows: DeclaredIdRow[]): Map<string, string> {
  const { keyValues } = mergeUpserts(upserts, stored, sources);
  const { removed, assigned, created } = planDeclaredIds(upserts, keyValues, sources, rows);
  const table = new Map(rows.map((row) => [key(row), row.recipientId]));
  for (const row of removed) {
    expect(table.get(key(row))).toBe(row.recipientId);
    table.delete(key(row));
  }
  for (const row of assigned) {
    if (!table.has(key(row))) throw new Error(`${key(row)} was not held before the batch: it is created, not assigned`);
    table.set(key(row), row.recipientId);
  }
  for (const row of created) {
    if (table.has(key(row))) throw new Error(`${key(row)} was held before the batch: it is assigned, not created`);
    table.set(key(row), row.recipientId);
  }
  return table;
}

describe('a batch of recipient upserts', () => {
  it('ends where applying them one by one ends, whatever the order and overlap', () => {
    const recipient = fc.constantFrom('r1', 'r2', 'r3');
    const value = fc.option(fc.constantFrom('A', ' a ', 'B', 'C'), { nil: null });
    const upsert = fc.record({ recipientId: recipient, attributes: fc.record({ crmId: value, email: value }, { requiredKeys: [] }) });
    // A consistent starting point: stored attributes and the rows they imply.
    const start = fc.array(upsert, { maxLength: 4 });
    fc.assert(
      fc.property(start, fc.array(upsert, { minLength: 1, maxLength: 12 }), (history, batch) => {
        const stored = new Map<string, Attributes>();
        for (const { recipientId, attributes } of history) stored.set(recipientId, { ...stored.get(recipientId), ...attributes });
        const rows = [...oneByOne(history, new Map(), [])].map(([k, recipientId]) => {
          const [dataSourceId, declaredId] = k.split('/');
          return { dataSourceId, declaredId, recipientId };
        });
        const expected = oneByOne(batch, stored, rows);
        expect(planned(batch, stored, rows)).toEqual(expected);
        // A batch naming every key is planned without the stored attributes, as the use case does.
        if (namesEveryKey(batch, sources)) expect(planned(batch, new Map(), rows)).toEqual(expected);
      }),
      { seed: 20261206, numRuns: 2000 },
    );
  });

  it('takes an id from a recipient outside the batch, and frees the one a recipient held', () => {
    const rows = [
      { dataSourceId: 'crm', declaredId: 'X', recipientId: 'outside' },
      { dataSourceId: 'crm', declaredId: 'Y', recipientId: 'r1' },
    ];
    const upserts = [{ recipientId: 'r1', attributes: { crmId: 'X' } }];
    const { keyValues } = mergeUpserts(upserts, new Map(), [crm]);
    expect(planDeclaredIds(upserts, keyValues, [crm], rows)).toEqual({
      removed: [{ dataSourceId: 'crm', declaredId: 'Y', recipientId: 'r1' }],
      assigned: [{ dataSourceId: 'crm', declaredId: 'X', recipientId: 'r1' }],
      created: [],
    });
  });

  it('names the first upsert whose key value cannot be a declared id', () => {
    const upserts = [
      { recipientId: 'r1', attributes: { crmId: 'ok' } },
      { recipientId: 'r2', attributes: { crmId: 'has:colon' } },
    ];
    let thrown: unknown;
    try {
      mergeUpserts(upserts, new Map(), [crm]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EventInBatchFailedError);
    expect((thrown as EventInBatchFailedError).index).toBe(1);
    expect((thrown as EventInBatchFailedError).cause).toBeInstanceOf(RejectEventError);
    expect(((thrown as EventInBatchFailedError).cause as RejectEventError).reason).toMatch(/crmId of recipient r2 is not a valid declared id for crm/);
  });

  it('merges the attributes of every upsert of a recipient into one patch, a null clearing a value', () => {
    const upserts: RecipientUpsert[] = [
      { recipientId: 'r1', attributes: { crmId: 'A', city: 'Basel' } },
      { recipientId: 'r1', attributes: { city: null } },
    ];
    expect(mergeUpserts(upserts, new Map(), []).patches).toEqual(new Map([['r1', { crmId: 'A', city: null }]]));
  });
});
