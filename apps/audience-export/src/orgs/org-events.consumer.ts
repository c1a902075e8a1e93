import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { OrgsRepository } from './orgs.repository';

@EventsController()
export class OrgEventsConsumer {
  constructor(private readonly orgs: OrgsRepository) {}

  @EventPattern(EventTypes.imsOrgCreated)
  async created(@Payload() event: HubEventOf<'ims.org.created'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.orgs.remember(ctx.manager, event.data.orgId, event.data.name, event.data.createdAt);
  }
}
