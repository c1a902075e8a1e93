import type { LiveSecretRow } from '../secrets/secrets.repository';
import type { TechnicalAccountRow } from './accounts.repository';
import type { TechnicalAccountView } from './accounts.schema';

export function toAccountView(account: TechnicalAccountRow, secrets: readonly LiveSecretRow[]): TechnicalAccountView {
  return {
    id: account.id,
    orgId: account.orgId,
    name: account.name,
    clientId: account.clientId,
    scopes: account.scopes,
    status: account.status,
    createdAt: account.createdAt.toISOString(),
    revokedAt: account.revokedAt?.toISOString() ?? null,
    secrets: secrets.filter((secret) => secret.technicalAccountId === account.id).map((secret) => ({ secretId: secret.id, createdAt: secret.createdAt.toISOString() })),
  };
}
