import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { BATCH, EventsController, type EventContext } from '@audience-hub/messaging';
import { KnownOrgsService } from '@audience-hub/platform';
import { identityLinked, publishUnlinked } from '../data-sources/data-source-events';
import { BUILT_IN_VISITOR_ID } from '../data-sources/data-source.model';
import { applyPerOrg } from '../org-batches';
import { DeletedRecipientsRepository } from '../recipients/deleted-recipients.repository';
import { latestPerEcid } from './visitor-link.decision';
import { VisitorLinksRepository } from './visitor-links.repository';

/**
 * Learns recipient <-> ECID links from campaign.visitor-observations.v1, a batch at once: every
 * observation is kept as history, and each ECID's link follows the most recent observation (hidden
 * while that names a deleted recipient: see DeletedRecipientsRepository).
 */
@EventsController()
export class VisitorEventsConsumer {
  constructor(
    private readonly orgs: KnownOrgsService,
    private readonly links: VisitorLinksRepository,
    private readonly deletedRecipients: DeletedRecipientsRepository,
  ) {}

  @EventPattern(EventTypes.campaignVisitorObserved, BATCH)
  async observed(@Payload() events: HubEventOf<'campaign.visitor.observed'>[], @Ctx() ctx: EventContext): Promise<void> {
    await applyPerOrg(ctx.manager, this.orgs, events, async (orgId, ofOrg) => {
      const observations = ofOrg.map(({ data }) => ({ ...data, observedAt: new Date(data.observedAt) }));
      await this.deletedRecipients.lockShared(ctx.manager, orgId);
      await this.links.recordObservations(ctx.manager, orgId, observations);
      const { linked, hidden } = await this.links.follow(ctx.manager, orgId, latestPerEcid(observations));
      await ctx.publish(
        linked.map(({ ecid, recipientId, observedAt }) => identityLinked(orgId, { dataSourceId: BUILT_IN_VISITOR_ID, idType: 'visitor', xcId: ecid, recipientId, observedAt })),
      );
      await publishUnlinked(
        ctx.manager,
        orgId,
        hidden.map((ecid) => ({ dataSourceId: BUILT_IN_VISITOR_ID, xcId: ecid })),
      );
    });
  }
}
