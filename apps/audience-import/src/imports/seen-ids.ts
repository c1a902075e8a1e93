/**
 * The ids a transaction already resolved into each run, as a Bloom filter of fixed size: `has`
 * never answers false for an id that was added (no false negatives), and answers true for an id
 * never added with a small probability (about 0.1% after a million ids, 5% after ten million).
 * An id it has never seen can be inserted without asking Postgres whether the run holds it, which
 * is a third of the cost of resolving a chunk; the others are inserted the careful way.
 * Memory is fixed (BYTES), whatever the number of ids.
 */
export class SeenIds {
  static readonly BYTES = 8 * 1024 * 1024;
  private bits?: Uint8Array;

  /** Splits `ids` (distinct) of `runId` into those never added before and those perhaps added, then adds them all. */
  split(runId: string, ids: readonly string[]): { fresh: string[]; seen: string[] } {
    const bits = (this.bits ??= new Uint8Array(SeenIds.BYTES));
    const fresh: string[] = [];
    const seen: string[] = [];
    const prefix = hashStart(runId);
    for (const id of ids) {
      let a = prefix[0];
      let b = prefix[1];
      for (let i = 0; i < id.length; i++) {
        const c = id.charCodeAt(i);
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x5bd1e995);
        b ^= b >>> 15;
      }
      a = (a >>> 0) % BITS;
      b = ((b >>> 0) % (BITS - 1)) + 1;
      let present = true;
      for (let k = 0; k < PROBES; k++) {
        const bit = (a + k * b) % BITS;
        const mask = 1 << (bit & 7);
        if ((bits[bit >>> 3] & mask) === 0) {
          present = false;
          bits[bit >>> 3] |= mask;
        }
      }
      (present ? seen : fresh).push(id);
    }
    return { fresh, seen };
  }
}

const BITS = SeenIds.BYTES * 8;
const PROBES = 3;

/**
 * Two independent 32-bit hashes (FNV-1a, and a multiplicative one with a shift), over the run id,
 * a separator, then the id (continued in `split`); double hashing gives the probes.
 */
function hashStart(runId: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (const c of [...Array.from(runId, (ch) => ch.charCodeAt(0)), 0]) {
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a, b];
}
