import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@audience-hub/platform';
import { VisitorLinksRepository } from '../../visitors/visitor-links.repository';
import { DeclaredIdsRepository } from '../declared-ids.repository';
import { RecipientsRepository } from '../recipients.repository';

export interface RecipientIdentities {
  recipientId: string;
  declaredIds: Array<{ dataSourceId: string; id: string }>;
  visitorIds: Array<{ ecid: string; observedAt: string }>;
}

/** GET /v1/recipients/{id}/identities: every XC id a recipient resolves to; 404 only when the recipient is unknown and has no ids. */
@Injectable()
export class GetRecipientIdentitiesUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly recipients: RecipientsRepository,
    private readonly declaredIds: DeclaredIdsRepository,
    private readonly visitorLinks: VisitorLinksRepository,
  ) {}

  async execute(orgId: string, recipientId: string): Promise<RecipientIdentities> {
    const tx = this.dataSource.manager;
    const [declared, visitor, known] = await Promise.all([
      this.declaredIds.ofRecipient(tx, orgId, recipientId),
      this.visitorLinks.ofRecipient(tx, orgId, recipientId),
      this.recipients.exists(tx, orgId, recipientId),
    ]);
    if (!known && declared.length === 0 && visitor.length === 0) throw new DomainError('not-found', `no recipient ${recipientId}`);
    return { recipientId, declaredIds: declared, visitorIds: visitor };
  }
}
