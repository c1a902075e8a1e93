import { randomBytes } from 'node:crypto';
import { launchService, type RunningService } from './service-launcher';
import { testImsMasterKey, type TestEnv } from './test-env';

export interface Tenant {
  orgId: string;
  clientId: string;
  clientSecret: string;
  accountId: string;
  token: string;
  /** `Authorization` header for this tenant's token. */
  auth: { authorization: string };
}

/** The platform operator the test IMS is bootstrapped with (it holds ims.platform: it creates the tenants' orgs). */
const ADMIN_CLIENT_ID = 'test-platform-admin';

/**
 * A real IMS process for tests, bootstrapped with a platform operator, that makes tenants (an org with
 * a technical account and a token) in one call.
 */
export class ImsTestClient {
  private adminToken?: string;

  private constructor(
    readonly service: RunningService,
    private readonly adminSecret: string,
    /** The IMS_MASTER_KEY it runs with (tests that forge tokens with its real key read it). */
    readonly masterKey: string,
    /** The environment other services need to trust this IMS. */
    readonly trustEnv: Record<string, string>,
  ) {}

  static async start(env: TestEnv, extra: Record<string, string> = {}): Promise<ImsTestClient> {
    // One master key and one bootstrap secret per test run: every suite's IMS opens the signing key,
    // and signs in as the bootstrap account, that an earlier suite of the run created in the same
    // database (random ones per suite fail the second suite at start, or at its first token).
    // The global setup draws both once per run (test/setup/global-setup.ts).
    const masterKey = testImsMasterKey();
    const adminSecret = process.env.TEST_IMS_ADMIN_SECRET ?? (process.env.TEST_IMS_ADMIN_SECRET = randomBytes(24).toString('base64url'));
    const service = await launchService(
      'ims',
      env.serviceEnv('ims', {
        IMS_MASTER_KEY: masterKey,
        IMS_BOOTSTRAP_ORG_NAME: 'Platform',
        IMS_BOOTSTRAP_CLIENT_ID: ADMIN_CLIENT_ID,
        IMS_BOOTSTRAP_CLIENT_SECRET: adminSecret,
        ...extra,
      }),
    );
    return new ImsTestClient(service, adminSecret, masterKey, { IMS_URL: service.url, IMS_JWKS_COOLDOWN_MS: '1000' });
  }

  get url(): string {
    return this.service.url;
  }

  /** client_credentials grant; throws with the IMS's answer when refused. */
  async token(clientId: string, clientSecret: string, scope?: string[]): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    if (scope) form.set('scope', scope.join(' '));
    const response = await fetch(`${this.url}/ims/token/v3`, { method: 'POST', body: form });
    const body = (await response.json()) as { access_token?: string };
    if (!response.ok || !body.access_token) throw new Error(`token refused (${response.status}): ${JSON.stringify(body)}`);
    return body.access_token;
  }

  async admin(): Promise<{ authorization: string }> {
    this.adminToken ??= await this.token(ADMIN_CLIENT_ID, this.adminSecret);
    return { authorization: `Bearer ${this.adminToken}` };
  }

  /** A new org whose first technical account holds `scopes`, and a token for it. */
  async tenant(scopes: string[], name = 'Test org'): Promise<Tenant> {
    const headers = { ...(await this.admin()), 'content-type': 'application/json' };
    const org = await json<{ orgId: string; adminAccount: { id: string; clientId: string; clientSecret: string } }>(
      await fetch(`${this.url}/v1/orgs`, { method: 'POST', headers, body: JSON.stringify({ name, adminAccount: { name: 'test account', scopes } }) }),
    );
    const account = org.adminAccount;
    const token = await this.token(account.clientId, account.clientSecret);
    return { orgId: org.orgId, clientId: account.clientId, clientSecret: account.clientSecret, accountId: account.id, token, auth: { authorization: `Bearer ${token}` } };
  }

  async stop(): Promise<void> {
    await this.service.stop();
  }
}

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`IMS answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}
