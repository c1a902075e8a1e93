/*
 * Run by `npm run up` once the services are ready: proves the bootstrap account that
 * infra/services.sh gave the IMS works (by getting a token), then prints its credentials, in full
 * the first time only. It is the platform operator, and the one account `npm run demo` uses. Env: IMS_ENV_FILE (default .infra/ims.env), IMS_URL (default http://127.0.0.1:3000).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { decodeJwt } from 'jose';

const envFile = process.env.IMS_ENV_FILE ?? resolve(__dirname, '../../../../../.infra/ims.env'); // from dist/apps/ims/src/bin
const imsUrl = (process.env.IMS_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');

async function main(): Promise<void> {
  if (!existsSync(envFile)) throw new Error(`${envFile} not found: infra/services.sh writes it when it starts the IMS`);
  const env = Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).trim()]),
  );
  const clientId = env.IMS_BOOTSTRAP_CLIENT_ID;
  const clientSecret = env.IMS_BOOTSTRAP_CLIENT_SECRET;
  if (!clientId || !clientSecret) throw new Error(`${envFile} has no IMS_BOOTSTRAP_CLIENT_ID/IMS_BOOTSTRAP_CLIENT_SECRET`);

  const response = await fetch(`${imsUrl}/ims/token/v3`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  const answer = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!response.ok || !answer.access_token) throw new Error(`the demo account cannot get a token: ${response.status} ${answer.error ?? ''} ${answer.error_description ?? ''}`);
  const claims = decodeJwt(answer.access_token) as { iss: string; org: string; scope: string };

  const marker = resolve(dirname(envFile), 'ims-demo.printed');
  const firstTime = !existsSync(marker);
  const lines = [
    '',
    `Demo org "${env.IMS_BOOTSTRAP_ORG_NAME ?? ''}" and its platform operator account (the IMS issued a token for it; \`npm run demo\` uses it):`,
    `  org id:        ${claims.org}`,
    `  client id:     ${clientId}`,
    `  client secret: ${firstTime ? clientSecret : `(shown once already; it is IMS_BOOTSTRAP_CLIENT_SECRET in ${envFile})`}`,
    `  scopes:        ${claims.scope}`,
    `  (ims.platform: creates orgs and rotates signing keys; the org admins of other orgs hold ims.admin without it)`,
    `Issuer (for OAuth clients): ${claims.iss}, metadata at ${claims.iss}/.well-known/openid-configuration`,
    'Get a token:',
    `  curl -s ${imsUrl}/ims/token/v3 -d grant_type=client_credentials -d client_id=${clientId} -d client_secret=${firstTime ? clientSecret : '<secret>'} -d scope=ims.admin`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (firstTime) writeFileSync(marker, `${new Date().toISOString()}\n`, { mode: 0o600 });
}

main().catch((error: Error) => {
  process.stderr.write(`bootstrap-demo: ${error.message}\n`);
  process.exit(1);
});
