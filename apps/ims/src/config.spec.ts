import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { baseConfigSchema } from '@audience-hub/platform';
import { imsConfigSchema, tryParseMasterKey } from './config';
import { imsService } from './service';

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

  // As runService composes it: the base configuration (IMS_ISSUER is every service's) and the IMS's own.
  const fullSchema = baseConfigSchema(imsService).extend(imsConfigSchema.shape);

  it('has the documented defaults', () => {
    const config = fullSchema.parse({ IMS_MASTER_KEY: key.toString('base64'), DATABASE_URL: 'postgres://ims@localhost/hub' });
    expect(config).toMatchObject({
      IMS_ISSUER: 'http://127.0.0.1:3000/ims',
      IMS_AUDIENCE: 'audience-hub',
      IMS_TOKEN_TTL_SECONDS: 86_400,
      IMS_TOKEN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: 120,
      IMS_SIGNING_ALG: 'ES256',
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

  it('takes the issuer as an http(s) URL without query or trailing slash: standard clients compare it as a string', () => {
    const issuer = (value: string) => fullSchema.safeParse({ IMS_MASTER_KEY: key.toString('hex'), DATABASE_URL: 'postgres://ims@localhost/hub', IMS_ISSUER: value });
    expect(issuer('https://login.example.com/ims/').data?.IMS_ISSUER).toBe('https://login.example.com/ims');
    for (const bad of ['audience-hub-ims', 'ftp://example.com/ims', 'https://example.com/ims?x=1']) {
      expect(z.prettifyError(issuer(bad).error!)).toContain('IMS_ISSUER');
    }
  });
});
