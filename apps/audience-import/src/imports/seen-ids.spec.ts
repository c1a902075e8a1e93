import { SeenIds } from './seen-ids';

describe('SeenIds', () => {
  const ecids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `1${String(from + i).padStart(37, '0')}`);

  it('never calls an id added before fresh, per run', () => {
    const seen = new SeenIds();
    const first = ecids(0, 10_000);
    expect(seen.split('1', first).seen.length).toBeLessThan(5);
    const again = seen.split('1', [...ecids(5_000, 10_000)]);
    // Every id of the first chunk is known, whatever the false positives among the new ones.
    const againSeen = new Set(again.seen);
    expect(ecids(5_000, 5_000).every((id) => againSeen.has(id))).toBe(true);
    const firstSet = new Set(first);
    expect(again.fresh.some((id) => firstSet.has(id))).toBe(false);
    // Another run of the same transaction has seen none of them.
    expect(seen.split('2', first.slice(0, 1_000)).seen.length).toBeLessThan(5);
  });

  it('keeps false positives rare after a million ids', () => {
    const seen = new SeenIds();
    for (let part = 0; part < 100; part++) seen.split('7', ecids(part * 10_000, 10_000));
    const { seen: falsePositives } = seen.split('7', ecids(2_000_000, 10_000));
    expect(falsePositives.length).toBeLessThan(50); // 0.5%
  });
});
