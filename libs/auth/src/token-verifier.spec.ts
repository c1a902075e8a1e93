import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createHmac } from 'node:crypto';
import { TokenVerifier } from './token-verifier';

const ISSUER = 'http://127.0.0.1:3000/ims';
const AUDIENCE = 'audience-hub';
const ORG = '5DC5123F5245B1D20A490D46@AdobeOrg';

let verifier: TokenVerifier;
let imsKey: CryptoKey;
let otherKey: CryptoKey;
let publicJwk: JWK;

beforeAll(async () => {
  const ims = await generateKeyPair('ES256', { extractable: true });
  imsKey = ims.privateKey;
  publicJwk = { ...(await exportJWK(ims.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  otherKey = (await generateKeyPair('ES256')).privateKey;
  verifier = new TokenVerifier({ keys: createLocalJWKSet({ keys: [publicJwk] }), issuer: ISSUER, audience: AUDIENCE });
});

const now = () => Math.floor(Date.now() / 1000);

function claims(overrides: Record<string, unknown> = {}) {
  return { sub: 'acct-1', client_id: 'client-1', org: ORG, scope: 'audiences.read identities.read', jti: 'jti-1', ...overrides };
}

async function sign(
  options: { key?: CryptoKey; kid?: string; typ?: string; iss?: string; aud?: string; exp?: number; nbf?: number; iat?: number; claims?: Record<string, unknown> } = {},
) {
  const jwt = new SignJWT(claims(options.claims))
    .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'k1', typ: options.typ ?? 'at+jwt' })
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setIssuedAt(options.iat ?? now())
    .setExpirationTime(options.exp ?? now() + 3600);
  if (options.nbf) jwt.setNotBefore(options.nbf);
  return jwt.sign(options.key ?? imsKey);
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('TokenVerifier', () => {
  it('accepts a valid token and returns the principal', async () => {
    const principal = await verifier.verify(await sign({ claims: { client_secret_id: 's-1' } }));
    expect(principal).toMatchObject({ orgId: ORG, clientId: 'client-1', accountId: 'acct-1', tokenId: 'jti-1', secretId: 's-1' });
    expect([...principal.scopes]).toEqual(['audiences.read', 'identities.read']);
  });

  it('remembers a verified token but still refuses it once expired', async () => {
    const cached = new TokenVerifier({ keys: createLocalJWKSet({ keys: [publicJwk] }), issuer: ISSUER, audience: AUDIENCE });
    const shortLived = await sign({ exp: now() + 1, iat: now() });
    await expect(cached.verify(shortLived)).resolves.toBeDefined();
    await expect(cached.verify(shortLived)).resolves.toBeDefined();
    const realNow = Date.now;
    Date.now = () => realNow() + 62_000;
    try {
      await expect(cached.verify(shortLived)).rejects.toThrow('token expired');
    } finally {
      Date.now = realNow;
    }
  });

  it('does not let a changed token ride on a cached one', async () => {
    const cached = new TokenVerifier({ keys: createLocalJWKSet({ keys: [publicJwk] }), issuer: ISSUER, audience: AUDIENCE });
    const token = await sign();
    await cached.verify(token);
    const [head, , signature] = token.split('.');
    const forged = `${head}.${b64({ ...claims({ org: '000000000000000000000000@AdobeOrg' }), iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 60 })}.${signature}`;
    await expect(cached.verify(forged)).rejects.toThrow(/signature is invalid/);
  });

  it('accepts an expiry within the 60 s leeway', async () => {
    await expect(verifier.verify(await sign({ exp: now() - 30, iat: now() - 3600 }))).resolves.toBeDefined();
  });

  it.each([
    [
      'alg none',
      async () => `${b64({ alg: 'none', typ: 'at+jwt', kid: 'k1' })}.${b64({ ...claims(), iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 60 })}.`,
      /not allowed|malformed|unsupported/,
    ],
    [
      'HS256 signed with the public key as secret',
      async () => {
        const head = b64({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' });
        const body = b64({ ...claims(), iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 60 });
        const mac = createHmac('sha256', JSON.stringify(publicJwk)).update(`${head}.${body}`).digest('base64url');
        return `${head}.${body}.${mac}`;
      },
      /algorithm is not allowed/,
    ],
    [
      'tampered payload',
      async () => {
        const [head, , signature] = (await sign()).split('.');
        return `${head}.${b64({ ...claims({ org: '000000000000000000000000@AdobeOrg' }), iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 60 })}.${signature}`;
      },
      /signature is invalid/,
    ],
    ['wrong issuer', () => sign({ iss: 'evil-ims' }), /issuer is not trusted/],
    ['wrong audience', () => sign({ aud: 'another-api' }), /audience is not this API/],
    ['expired beyond leeway', () => sign({ exp: now() - 120, iat: now() - 3600 }), /expired/],
    ['not yet valid', () => sign({ nbf: now() + 600 }), /not yet valid/],
    ['unknown kid', () => sign({ key: otherKey, kid: 'k-unknown' }), /unknown key/],
    ['signed by another key pair', () => sign({ key: otherKey }), /signature is invalid/],
    ['an ID token instead of an access token', () => sign({ typ: 'JWT' }), /typ must be at\+jwt/],
    ['no org claim', () => sign({ claims: { org: undefined } }), /org/],
    ['garbage', async () => 'not.a.token', /malformed/],
  ])('refuses %s', async (_, token, reason) => {
    await expect(verifier.verify(await token())).rejects.toThrow(reason);
  });
});
