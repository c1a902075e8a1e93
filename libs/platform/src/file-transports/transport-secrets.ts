import { readFileSync } from 'node:fs';

/**
 * Secrets of a location come from the environment, never from its URL or the database: `variable`
 * (`FILES_<NAME>`) or `<variable>_FILE` (a file holding it, as Docker and Kubernetes mount secrets).
 * A location's `?profile=acme` reads `FILES_ACME_<NAME>` first, so orgs can hold different credentials.
 */
export function transportSecret(variable: `FILES_${string}`, profile: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const ofProfile = profile && `FILES_${profile.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${variable.slice('FILES_'.length)}`;
  for (const name of ofProfile ? [ofProfile, variable] : [variable]) {
    if (env[name]) return env[name];
    const file = env[`${name}_FILE`];
    if (file) return readFileSync(file, 'utf8').trim();
  }
  return undefined;
}
