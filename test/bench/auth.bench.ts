import { randomBytes } from 'node:crypto';
import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, SignJWT, generateKeyPair } from 'jose';
import { ImsAuthGuard, RevocationRegistry, TokenVerifier, ACCESS_TOKEN_ALGORITHMS } from '@audience-hub/auth';
import { DEFAULT_IMS_ISSUER } from '@audience-hub/platform';
import { launchService } from '@audience-hub/testing';
import { asTestEnv } from './import.bench';
import { report, type BenchEnv, type Measurement } from './bench-env';

const VERIFICATIONS = Number(process.env.BENCH_VERIFICATIONS ?? 20_000);
const ISSUANCES = Number(process.env.BENCH_ISSUANCES ?? 40);

/** A request as the guard sees it, for a route that needs `audiences.read`. */
function contextFor(authorization: string): ExecutionContext {
  const request = { headers: { authorization } };
  const handler = () => undefined;
  Reflect.defineMetadata('audience-hub:scopes', ['audiences.read'], handler);
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

/**
 * Token verification through the guard of every service (JWKS fetched from a real IMS and cached)
 * beside raw jose verification of the same token; and token issuance by the IMS beside raw jose
 * signing.
 */
export async function authThroughput(env: BenchEnv): Promise<Record<string, unknown>[]> {
  const clientSecret = randomBytes(24).toString('base64url');
  const ims = await launchService('ims', {
    ...asTestEnv(env).serviceEnv('ims'),
    IMS_MASTER_KEY: randomBytes(32).toString('base64'),
    IMS_BOOTSTRAP_CLIENT_ID: 'bench-admin',
    IMS_BOOTSTRAP_CLIENT_SECRET: clientSecret,
    LOG_LEVEL: 'warn',
  });
  try {
    const form = () => new URLSearchParams({ grant_type: 'client_credentials', client_id: 'bench-admin', client_secret: clientSecret });
    const issue = async () => {
      const response = await fetch(`${ims.url}/ims/token/v3`, { method: 'POST', body: form() });
      const body = (await response.json()) as { access_token: string };
      if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
      return body.access_token;
    };
    const token = await issue();

    // Verification through the guard (remote JWKS from the IMS, cached after the first call), as
    // every request of a client does: its token is reused for hours, so the verified-token cache
    // answers after the first request; and with that cache off (every token seen for the first time).
    const guardRate = async (cacheSize: number, name: string): Promise<Measurement> => {
      const verifier = new TokenVerifier({ keys: createRemoteJWKSet(new URL(`${ims.url}/ims/keys`)), issuer: DEFAULT_IMS_ISSUER, audience: 'audience-hub', cacheSize });
      const guard = new ImsAuthGuard(new Reflector(), verifier, new RevocationRegistry());
      const context = contextFor(`Bearer ${token}`);
      await guard.canActivate(context);
      const begun = process.hrtime.bigint();
      for (let i = 0; i < VERIFICATIONS; i++) await guard.canActivate(context);
      return { name, count: VERIFICATIONS, unit: 'tokens', seconds: Number(process.hrtime.bigint() - begun) / 1e9 };
    };
    const throughGuard = await guardRate(10_000, 'ImsAuthGuard, token reused (verified-token cache)');
    const throughGuardCold = await guardRate(0, 'ImsAuthGuard, cache off (full check every time)');
    let started: bigint;

    const jwks = (await (await fetch(`${ims.url}/ims/keys`)).json()) as Parameters<typeof createLocalJWKSet>[0];
    const local = createLocalJWKSet(jwks);
    started = process.hrtime.bigint();
    for (let i = 0; i < VERIFICATIONS; i++) await jwtVerify(token, local, { algorithms: [...ACCESS_TOKEN_ALGORITHMS] });
    const rawVerify: Measurement = {
      name: 'raw jose jwtVerify, same token and key',
      count: VERIFICATIONS,
      unit: 'tokens',
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };

    // Issuance: the whole client-credentials grant (scrypt secret check, signing, HTTP), 4 at a time.
    started = process.hrtime.bigint();
    for (let i = 0; i < ISSUANCES; i += 4) await Promise.all(Array.from({ length: Math.min(4, ISSUANCES - i) }, issue));
    const issued: Measurement = { name: 'POST /ims/token/v3 (client credentials)', count: ISSUANCES, unit: 'tokens', seconds: Number(process.hrtime.bigint() - started) / 1e9 };
    const { privateKey } = await generateKeyPair('ES256');
    started = process.hrtime.bigint();
    for (let i = 0; i < ISSUANCES * 10; i++) {
      await new SignJWT({ scope: 'audiences.read' }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    }
    const rawSign: Measurement = { name: 'raw jose SignJWT ES256', count: ISSUANCES * 10, unit: 'tokens', seconds: Number(process.hrtime.bigint() - started) / 1e9 };

    return [
      report('auth: local token verification (tokens/s, target >= 10,000)', throughGuard, rawVerify, {
        [throughGuardCold.name]: `${Math.round(throughGuardCold.count / throughGuardCold.seconds).toLocaleString('en-US')} tokens/s (${(throughGuardCold.count / throughGuardCold.seconds / (rawVerify.count / rawVerify.seconds)).toFixed(2)}x raw)`,
      }),
      report('auth: token issuance (tokens/s)', issued, rawSign, { note: 'dominated by the scrypt check of the client secret (N=16384), by design' }),
    ];
  } finally {
    await ims.stop();
  }
}
