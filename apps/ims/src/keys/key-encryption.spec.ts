import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, jwtVerify, type JWK } from 'jose';
import { KeyEncryption } from './key-encryption';

describe('KeyEncryption', () => {
  const master = randomBytes(32);
  const encryption = new KeyEncryption(master);

  it('round-trips a private signing key that still signs', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = JSON.stringify(await exportJWK(privateKey));
    const sealed = encryption.encrypt(jwk, 'key-1');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain((JSON.parse(jwk) as JWK).d);
    const opened = encryption.decrypt(sealed, 'key-1');
    expect(opened).toBe(jwk);
    const token = await new SignJWT({ a: 1 }).setProtectedHeader({ alg: 'ES256' }).sign(await importJWK(JSON.parse(opened) as JWK, 'ES256'));
    await expect(jwtVerify(token, publicKey)).resolves.toBeDefined();
  });

  it('uses a fresh IV each time', () => {
    expect(encryption.encrypt('same', 'k')).not.toBe(encryption.encrypt('same', 'k'));
  });

  it('refuses another master key, another kid, and any tampering', () => {
    const sealed = encryption.encrypt('secret material', 'key-1');
    expect(() => new KeyEncryption(randomBytes(32)).decrypt(sealed, 'key-1')).toThrow();
    expect(() => encryption.decrypt(sealed, 'key-2')).toThrow();
    const [version, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(() => encryption.decrypt([version, iv, tag, flipped.toString('base64url')].join('.'), 'key-1')).toThrow();
    expect(() => encryption.decrypt('v0.a.b.c', 'key-1')).toThrow(/unknown format/);
  });

  it('needs a 32-byte master key', () => {
    expect(() => new KeyEncryption(randomBytes(16))).toThrow(/32 bytes/);
  });
});
