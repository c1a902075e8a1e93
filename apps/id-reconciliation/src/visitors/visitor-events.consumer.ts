import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { KnownOrgsService } from '@audience-hub/platform';
import { identityLinked } from '../data-sources/data-source-events';
import { BUILT_IN_VISITOR_ID } from '../data-sources/data-source.model';
import { decideVisitorLink } from './visitor-link.decision';
import { VisitorLinksRepository } from './visitor-links.repository';

/** Learns recipient <-> ECID links from campaign.visitor-observations.v1. */
@EventsController()
export class VisitorEventsConsumer {
  constructor(
    private readonly orgs: KnownOrgsService,
    private readonly links: VisitorLinksRepository,
  ) {}

  @EventPattern(EventTypes.campaignVisitorObserved)
  async observed(@Payload() event: HubEventOf<'campaign.visitor.observed'>, @Ctx() ctx: EventContext): Promise<void> {
    const { recipientId, ecid, channel } = event.data;
    const observedAt = new Date(event.data.observedAt);
    await this.orgs.requireKnown(ctx.manager, event.orgid);
    await this.links.recordObservation(ctx.manager, event.orgid, ecid, recipientId, observedAt, channel);
    const found = await this.links.lockOrCreate(ctx.manager, event.orgid, ecid, recipientId, observedAt);
    const current = found === 'created' ? undefined : found;
    const decision = found === 'created' ? 'take' : decideVisitorLink(current, { recipientId, observedAt });
    if (decision === 'refresh') await this.links.refresh(ctx.manager, event.orgid, ecid, observedAt);
    if (decision !== 'take') return;
    if (current) await this.links.link(ctx.manager, event.orgid, ecid, recipientId, observedAt);
    await ctx.publish(identityLinked(event.orgid, { dataSourceId: BUILT_IN_VISITOR_ID, idType: 'visitor', xcId: ecid, recipientId, observedAt }));
  }
}
