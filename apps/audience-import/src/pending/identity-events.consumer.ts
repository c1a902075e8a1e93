import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { LinkPendingUsecase } from './link-pending.usecase';

/**
 * Late reconciliation from idrec.identities.v1. `idrec.identity.unlinked` is deliberately not
 * consumed: a member stays until the audience's next snapshot says otherwise (the list follows XC,
 * not each identity change).
 */
@EventsController()
export class IdentityEventsConsumer {
  constructor(private readonly linkPending: LinkPendingUsecase) {}

  @EventPattern(EventTypes.idrecIdentityLinked)
  async linked(@Payload() event: HubEventOf<'idrec.identity.linked'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.linkPending.execute(ctx.manager, event.orgid, event.data);
  }
}
