import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { imsConfigSchema, publicBaseUrl, tryParseMasterKey, type ImsConfig } from './config';

describe('IMS configuration', () => {
  const key = randomBytes(32);

  it('reads the master key as hex or base64 (standard or url-safe), 32 bytes only', () => {
    expect(tryParseMasterKey(key.toString('hex'))).toEqual(key);
    expect(tryParseMasterKey(key.toString('base64'))).toEqual(key);
    expect(tryParseMasterKey(key.toString('base64url'))).toEqual(key);
    expect(tryParseMasterKey(randomBytes(16).toString('hex'))).toBeUndefined();
    expect(tryParseMasterKey(randomBytes(31).toString('base64'))).toBeUndefined();
    expect(tryParseMasterKey('not a key')).toBeUndefined();
  });

  it('has the documented defaults', () => {
    const config = imsConfigSchema.parse({ IMS_MASTER_KEY: key.toString('base64') });
    expect(config).toMatchObject({
      IMS_ISSUER: 'audience-hub-ims',
      IMS_AUDIENCE: 'audience-hub',
      IMS_TOKEN_TTL_SECONDS: 86_400,
      IMS_SIGNING_ALG: 'ES256',
      IMS_TOKEN_RATE_LIMIT_PER_MINUTE: 60,
      IMS_TOKEN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: 120,
    });
    expect(config.IMS_BOOTSTRAP_CLIENT_ID).toBeUndefined();
  });

  it('names a missing or bad master key without echoing it', () => {
    const missing = imsConfigSchema.safeParse({});
    expect(z.prettifyError(missing.error!)).toContain('IMS_MASTER_KEY');
    const bad = imsConfigSchema.safeParse({ IMS_MASTER_KEY: 'short-secret-value' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error!.issues)).not.toContain('short-secret-value');
  });

  it('treats empty optional variables as unset and checks the bootstrap org id form', () => {
    const config = imsConfigSchema.parse({ IMS_MASTER_KEY: key.toString('hex'), IMS_BOOTSTRAP_ORG_ID: '', IMS_BOOTSTRAP_CLIENT_ID: '' });
    expect(config.IMS_BOOTSTRAP_ORG_ID).toBeUndefined();
    expect(imsConfigSchema.safeParse({ IMS_MASTER_KEY: key.toString('hex'), IMS_BOOTSTRAP_ORG_ID: 'acme' }).success).toBe(false);
  });

  it('advertises IMS_PUBLIC_URL, else the listener', () => {
    expect(publicBaseUrl({ HOST: '0.0.0.0', PORT: 3000 } as ImsConfig)).toBe('http://127.0.0.1:3000');
    expect(publicBaseUrl({ HOST: '127.0.0.1', PORT: 3000, IMS_PUBLIC_URL: 'https://ims.example.com/' } as ImsConfig)).toBe('https://ims.example.com');
  });
});
