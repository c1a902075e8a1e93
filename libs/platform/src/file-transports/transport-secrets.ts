import { readFileSync } from 'node:fs';

/**
 * Secrets of a location come from the environment, never from its URL or the database:
 * `FILES_<NAME>` or `FILES_<NAME>_FILE` (a file holding it, as Docker and Kubernetes mount secrets).
 * A location's `?profile=acme` reads `FILES_ACME_<NAME>` first, so orgs can hold different credentials.
 */
export function transportSecret(name: string, profile: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const prefixes = profile ? [`FILES_${profile.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`, 'FILES_'] : ['FILES_'];
  for (const variable of prefixes.map((prefix) => prefix + name)) {
    if (env[variable]) return env[variable];
    const file = env[`${variable}_FILE`];
    if (file) return readFileSync(file, 'utf8').trim();
  }
  return undefined;
}
