import { SecretHasher } from './secret-hasher';
import { newClientSecret } from '../ids';

describe('SecretHasher', () => {
  const hasher = new SecretHasher();

  it('stores scrypt with its parameters and a random salt, never the secret', async () => {
    const secret = newClientSecret();
    const [first, second] = await Promise.all([hasher.hash(secret), hasher.hash(secret)]);
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(first).not.toContain(secret);
    expect(first).not.toBe(second); // salted
  });

  it('verifies the right secret and refuses others', async () => {
    const secret = newClientSecret();
    const stored = await hasher.hash(secret);
    await expect(hasher.verify(secret, stored)).resolves.toBe(true);
    await expect(hasher.verify(`${secret}x`, stored)).resolves.toBe(false);
    await expect(hasher.verify('', stored)).resolves.toBe(false);
  });

  it('verifies with the parameters stored in the hash, so the cost can change later', async () => {
    const cheap = new SecretHasher({ N: 1024, r: 8, p: 1 });
    const stored = await cheap.hash('s3cret-s3cret-s3cret');
    expect(stored.startsWith('scrypt$1024$8$1$')).toBe(true);
    await expect(hasher.verify('s3cret-s3cret-s3cret', stored)).resolves.toBe(true);
  });

  it('refuses a malformed stored hash', async () => {
    await expect(hasher.verify('x', 'plain-text')).resolves.toBe(false);
    await expect(hasher.verify('x', 'bcrypt$1$2$3$a$b')).resolves.toBe(false);
  });

  it('finds which of two live secrets matches, and none for a wrong one or no candidates', async () => {
    const [one, two] = [newClientSecret(), newClientSecret()];
    const candidates = [
      { id: 'sec-1', secretHash: await hasher.hash(one) },
      { id: 'sec-2', secretHash: await hasher.hash(two) },
    ];
    expect((await hasher.findMatch(two, candidates))?.id).toBe('sec-2');
    expect((await hasher.findMatch(one, candidates))?.id).toBe('sec-1');
    expect(await hasher.findMatch('nope', candidates)).toBeUndefined();
    expect(await hasher.findMatch(one, [])).toBeUndefined();
  });
});
