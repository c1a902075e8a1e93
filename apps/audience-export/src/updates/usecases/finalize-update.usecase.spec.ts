import { readsChangesOnly } from './finalize-update.usecase';

describe('what an update reads', () => {
  const list = { seq: 40, historyFrom: 10 };
  const mirrorOf = (seq: number, linksSeq: number | null) => ({ listId: 'L', seq, linksSeq });
  const resolved = { listId: 'L', seq: 30, updateId: 'upd-1', linksSeq: 7 };

  it('reads the whole list the first time, for another list, or when the list history since is lost', () => {
    expect(readsChangesOnly({ listId: 'L', mode: 'add-only' }, {}, list, 0)).toBe(false);
    expect(readsChangesOnly({ listId: 'M', mode: 'add-only' }, { resolved }, list, 0)).toBe(false);
    expect(readsChangesOnly({ listId: 'L', mode: 'add-only' }, { resolved: { ...resolved, seq: 5 } }, list, 0)).toBe(false);
  });

  it('reads the changes of the same list for add-only while the identity clock is where the last update left it', () => {
    expect(readsChangesOnly({ listId: 'L', mode: 'add-only' }, { resolved, mirrored: mirrorOf(30, 3) }, list, 7)).toBe(true);
    expect(readsChangesOnly({ listId: 'L', mode: 'add-only' }, { resolved }, list, 8)).toBe(false); // links made or moved since: a member may have new ids
    expect(readsChangesOnly({ listId: 'L', mode: 'add-only' }, { resolved: { ...resolved, linksSeq: null } }, list, 0)).toBe(false); // resolved before the column existed
  });

  it('reads the changes for mirror only while the identity clock is where its last mirror update left it', () => {
    const update = { listId: 'L', mode: 'mirror' as const };
    expect(readsChangesOnly(update, { resolved, mirrored: mirrorOf(30, 7) }, list, 7)).toBe(true);
    expect(readsChangesOnly(update, { resolved, mirrored: mirrorOf(30, 7) }, list, 8)).toBe(false); // links moved since
    expect(readsChangesOnly(update, { resolved: { ...resolved, linksSeq: 8 }, mirrored: mirrorOf(30, 7) }, list, 8)).toBe(false); // an add-only update read the graph since, but leavers' ids may have moved
    expect(readsChangesOnly(update, { resolved, mirrored: mirrorOf(30, null) }, list, 0)).toBe(false); // before the clock existed
    expect(readsChangesOnly(update, { resolved }, list, 0)).toBe(false); // never mirrored
    expect(readsChangesOnly(update, { resolved, mirrored: { ...mirrorOf(30, 7), listId: 'M' } }, list, 7)).toBe(false);
  });
});
