import { packChanges, withLast, type ChangePage } from './chunks';

async function collect<T>(values: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of values) out.push(value);
  return out;
}

async function* from<T>(values: T[]): AsyncGenerator<T> {
  yield* values;
}

describe('chunking', () => {
  it('marks the last value, reading one ahead', async () => {
    expect(await collect(withLast(from([1, 2, 3])))).toEqual([
      { value: 1, last: false },
      { value: 2, last: false },
      { value: 3, last: true },
    ]);
    expect(await collect(withLast(from([])))).toEqual([]);
  });

  it('packs removals then additions into chunks of at most max ids', async () => {
    const pages: ChangePage[] = [
      { kind: 'removed', ids: ['r1', 'r2', 'r3'] },
      { kind: 'added', ids: ['a1', 'a2'] },
      { kind: 'added', ids: ['a3', 'a4', 'a5'] },
    ];
    expect(await collect(packChanges(from(pages), 4))).toEqual([
      { removed: ['r1', 'r2', 'r3'], added: ['a1'] },
      { removed: [], added: ['a2', 'a3', 'a4', 'a5'] },
    ]);
    expect(await collect(packChanges(from(pages), 100))).toEqual([{ removed: ['r1', 'r2', 'r3'], added: ['a1', 'a2', 'a3', 'a4', 'a5'] }]);
    expect(await collect(packChanges(from([]), 4))).toEqual([]);
  });
});
