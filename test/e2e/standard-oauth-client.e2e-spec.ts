import * as oauth from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { freePort, launchStack, testEnv, type ImsTestClient, type RunningService, type Stack, type Tenant } from '@audience-hub/testing';

const env = testEnv();

/**
 * An integrator's view: a standard OAuth/OpenID client library (openid-client), unmodified, finds
 * the IMS from its issuer URL alone, gets a token by the client credentials grant, verifies it
 * against the published keys with jose's createRemoteJWKSet, and calls a hub service with it
 * (plain fetch: the point is a token from another library, not the hub's client).
 */
describe('a standard OAuth client', () => {
  let stack: Stack;
  let ims: ImsTestClient;
  let importer: RunningService;
  let issuer: string;
  let tenant: Tenant;

  beforeAll(async () => {
    // The issuer is the IMS's public base URL: here, the port it is about to listen on.
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/ims`;
    stack = await launchStack(env, { services: ['audience-import'], imsEnv: { PORT: String(port), IMS_ISSUER: issuer }, env: { 'audience-import': { IMS_ISSUER: issuer } } });
    ({ ims, importer } = stack);
    tenant = await ims.tenant(['audiences.read', 'identities.read']);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it.each([
    ['OpenID Connect discovery ({issuer}/.well-known/openid-configuration), client_secret_post', 'oidc', 'post'],
    ['RFC 8414 discovery (/.well-known/oauth-authorization-server/ims), client_secret_basic', 'oauth2', 'basic'],
  ] as const)('discovers the IMS by %s, gets a token and verifies it', async (_, algorithm, method) => {
    const authentication = method === 'basic' ? oauth.ClientSecretBasic(tenant.clientSecret) : oauth.ClientSecretPost(tenant.clientSecret);
    // allowInsecureRequests: the test IMS speaks plain http on the loopback interface.
    const config = await oauth.discovery(new URL(issuer), tenant.clientId, undefined, authentication, { algorithm, execute: [oauth.allowInsecureRequests] });
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.token_endpoint).toBe(`${ims.url}/ims/token/v3`);

    const tokens = await oauth.clientCredentialsGrant(config, { scope: 'audiences.read' });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expiresIn()).toBeGreaterThan(0);

    const keys = createRemoteJWKSet(new URL(metadata.jwks_uri!));
    const { payload } = await jwtVerify(tokens.access_token, keys, { issuer, audience: 'audience-hub', typ: 'at+jwt', algorithms: ['ES256', 'RS256'] });
    expect(payload).toMatchObject({ iss: issuer, client_id: tenant.clientId, org: tenant.orgId, scope: 'audiences.read' });

    // and a hub service that trusts this issuer takes the token
    const listed = await fetch(`${importer.url}/v1/imports`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(listed.status).toBe(200);
  });
});
