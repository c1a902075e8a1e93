import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditActions, createEvent, EventTypes } from '@audience-hub/contracts';
import { enqueueEvents } from '@audience-hub/messaging';
import { AuditTrail, type AuditActor } from '@audience-hub/audit';
import { DomainError } from '@audience-hub/platform';
import { SecretsRepository } from '../../secrets/secrets.repository';
import { IMS_EVENT_SOURCE } from '../../service';
import { toAccountView } from '../account-view';
import { AccountsRepository } from '../accounts.repository';
import type { TechnicalAccountView } from '../accounts.schema';

/**
 * Revokes the account and publishes ims.technical-account.revoked in the same transaction, so
 * every service learns it. Revoking again changes nothing and publishes nothing.
 */
@Injectable()
export class RevokeTechnicalAccountUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly secrets: SecretsRepository,
    private readonly audit: AuditTrail,
  ) {}

  async execute(actor: AuditActor, id: string): Promise<TechnicalAccountView> {
    const { orgId } = actor;
    return this.dataSource.transaction(async (tx) => {
      const account = await this.accounts.lockInOrg(tx, orgId, id);
      if (!account) throw new DomainError('not-found', `No technical account ${id} in your org`);
      if (account.status === 'active') {
        const revokedAt = await this.accounts.revoke(tx, id);
        Object.assign(account, { status: 'revoked', revokedAt });
        await enqueueEvents(tx, [
          createEvent({
            type: EventTypes.imsTechnicalAccountRevoked,
            source: IMS_EVENT_SOURCE,
            orgId,
            aggregateId: id,
            data: { technicalAccountId: id, clientId: account.clientId, revokedAt: revokedAt.toISOString() },
          }),
        ]);
      }
      // Revoking again is recorded too: someone asked, whatever changed.
      await this.audit.record(tx, { action: AuditActions.technicalAccountRevoke, actor, target: { technicalAccountId: id } });
      return toAccountView(account, await this.secrets.live(tx, id));
    });
  }
}
