import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { KnownOrgsService } from '@audience-hub/platform';
import { CatalogRepository } from './catalog.repository';

/** The catalog from xc.audiences.v1: an audience's latest name, solution and labels. */
@EventsController()
export class CatalogEventsConsumer {
  constructor(
    private readonly orgs: KnownOrgsService,
    private readonly catalog: CatalogRepository,
  ) {}

  @EventPattern(EventTypes.xcAudiencePublished)
  async published(@Payload() event: HubEventOf<'xc.audience.published'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.orgs.requireKnown(ctx.manager, event.orgid);
    await this.catalog.publish(ctx.manager, event.orgid, event.data);
  }

  @EventPattern(EventTypes.xcAudienceWithdrawn)
  async withdrawn(@Payload() event: HubEventOf<'xc.audience.withdrawn'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.orgs.requireKnown(ctx.manager, event.orgid);
    await this.catalog.withdraw(ctx.manager, event.orgid, event.data.audienceId);
  }
}
