import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { KnownOrgsService } from './known-orgs.service';

@EventsController()
export class OrgEventsConsumer {
  constructor(private readonly orgs: KnownOrgsService) {}

  @EventPattern(EventTypes.imsOrgCreated)
  async created(@Payload() event: HubEventOf<'ims.org.created'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.orgs.register(ctx.manager, event.data);
  }
}
