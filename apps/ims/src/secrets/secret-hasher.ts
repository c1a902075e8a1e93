import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scryptAsync = (secret: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(secret, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))));

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** Node's default cost (16 MiB, tens of ms): the secrets are 256 random bits, so cost only slows a leak's use. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 16_384, r: 8, p: 1 };
const KEY_LENGTH = 32;

/**
 * Client secrets at rest: `scrypt$N$r$p$salt$hash` (base64url), so the cost can be raised later
 * without invalidating stored secrets. Comparison is constant-time.
 */
export class SecretHasher {
  private dummy?: Promise<string>;

  constructor(private readonly params: ScryptParams = DEFAULT_SCRYPT_PARAMS) {}

  async hash(secret: string): Promise<string> {
    const salt = randomBytes(16);
    const { N, r, p } = this.params;
    const key = await scryptAsync(secret, salt, KEY_LENGTH, { N, r, p, maxmem: maxmem(this.params) });
    return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(secret: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !hash) return false;
    const params = { N: Number(n), r: Number(r), p: Number(p) };
    const expected = Buffer.from(hash, 'base64url');
    const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, { ...params, maxmem: maxmem(params) });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /**
   * The id of the candidate `secret` matches, checking every candidate (and a dummy one when there
   * are none) so the time taken says nothing about which client ids exist or which secret matched.
   */
  async findMatch<T extends { id: string; secretHash: string }>(secret: string, candidates: readonly T[]): Promise<T | undefined> {
    if (candidates.length === 0) {
      this.dummy ??= this.hash('no such client');
      await this.verify(secret, await this.dummy);
      return undefined;
    }
    const results = await Promise.all(candidates.map((candidate) => this.verify(secret, candidate.secretHash)));
    return candidates[results.indexOf(true)];
  }
}

function maxmem({ N, r, p }: ScryptParams): number {
  return 128 * N * r * p + 1024 * 1024 * 32;
}
