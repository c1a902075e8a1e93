import { Command } from 'commander';
import { fetchToken } from '@audience-hub/client';
import { CliContext } from '../context';
import { UsageError } from '../exit-codes';
import { removeCachedToken, writeCachedToken } from '../token-cache';

/** `hub login` / `hub logout`: a token from client credentials, cached (the secret never is). */
export function loginCommands(): Command[] {
  const login = new Command('login')
    .description('get a token with client credentials (--client-id/--client-secret or HUB_CLIENT_ID/HUB_CLIENT_SECRET) and cache it, mode 0600')
    .option('--scope <scopes...>', 'ask for fewer scopes than the account holds')
    .action(async (options: { scope?: string[] }, cmd: Command) => {
      const context = CliContext.of(cmd);
      const credentials = context.credentials();
      if (!credentials) throw new UsageError('give --client-id and --client-secret, or set HUB_CLIENT_ID and HUB_CLIENT_SECRET');
      const issued = await fetchToken({ ...credentials, imsUrl: context.urls.ims, scope: options.scope });
      writeCachedToken(context.tokenFile, { ...issued, imsUrl: context.urls.ims, clientId: credentials.clientId });
      const summary = { clientId: credentials.clientId, imsUrl: context.urls.ims, expiresAt: new Date(issued.expiresAt).toISOString(), tokenFile: context.tokenFile };
      context.print(summary, () => `logged in as ${summary.clientId} at ${summary.imsUrl}; token valid until ${summary.expiresAt} (${summary.tokenFile})`);
    });

  const logout = new Command('logout').description('forget the cached token').action(async (_options, cmd: Command) => {
    const context = CliContext.of(cmd);
    removeCachedToken(context.tokenFile);
    context.print({ tokenFile: context.tokenFile, removed: true }, () => `removed ${context.tokenFile}`);
  });

  return [login, logout];
}
