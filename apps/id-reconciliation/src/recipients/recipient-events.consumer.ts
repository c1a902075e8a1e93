import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { BATCH, EventsController, type EventContext } from '@audience-hub/messaging';
import { KnownOrgsService } from '@audience-hub/platform';
import { publishUnlinked } from '../data-sources/data-source-events';
import { BUILT_IN_VISITOR_ID } from '../data-sources/data-source.model';
import { VisitorLinksRepository } from '../visitors/visitor-links.repository';
import { DeclaredIdsRepository } from './declared-ids.repository';
import { RecipientsRepository } from './recipients.repository';
import { DeletedRecipientsRepository } from './deleted-recipients.repository';
import { applyPerOrg } from '../org-batches';
import { ApplyRecipientUpsertsUseCase } from './usecases/apply-recipient-upserts.usecase';

/** Recipients from campaign.recipients.v1: their key values, and on deletion every link they had (ECID links kept hidden). */
@EventsController()
export class RecipientEventsConsumer {
  constructor(
    private readonly orgs: KnownOrgsService,
    private readonly upserts: ApplyRecipientUpsertsUseCase,
    private readonly recipients: RecipientsRepository,
    private readonly declaredIds: DeclaredIdsRepository,
    private readonly visitorLinks: VisitorLinksRepository,
    private readonly deletedRecipients: DeletedRecipientsRepository,
  ) {}

  @EventPattern(EventTypes.campaignRecipientUpserted, BATCH)
  async upserted(@Payload() events: HubEventOf<'campaign.recipient.upserted'>[], @Ctx() ctx: EventContext): Promise<void> {
    await applyPerOrg(ctx.manager, this.orgs, events, (orgId, ofOrg) =>
      this.upserts.execute(
        ctx.manager,
        orgId,
        ofOrg.map((event) => event.data),
      ),
    );
  }

  @EventPattern(EventTypes.campaignRecipientDeleted)
  async deleted(@Payload() event: HubEventOf<'campaign.recipient.deleted'>, @Ctx() ctx: EventContext): Promise<void> {
    const { recipientId } = event.data;
    await this.orgs.requireKnown(ctx.manager, event.orgid);
    await this.deletedRecipients.lockExclusive(ctx.manager, event.orgid);
    const declared = await this.declaredIds.unlinkRecipient(ctx.manager, event.orgid, recipientId);
    const ecids = await this.visitorLinks.hideRecipient(ctx.manager, event.orgid, recipientId);
    await this.recipients.delete(ctx.manager, event.orgid, recipientId);
    await this.deletedRecipients.markDeleted(ctx.manager, event.orgid, recipientId);
    await publishUnlinked(ctx.manager, event.orgid, [
      ...declared.map(({ dataSourceId, declaredId }) => ({ dataSourceId, xcId: declaredId })),
      ...ecids.map((ecid) => ({ dataSourceId: BUILT_IN_VISITOR_ID, xcId: ecid })),
    ]);
  }
}
