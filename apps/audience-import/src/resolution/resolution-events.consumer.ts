import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { REQUESTER } from './resolution-requests';
import { RecordResolutionUsecase } from './record-resolution.usecase';

/**
 * id-reconciliation's answers to this service's requests, and its rejections of them: a rejection
 * whose eventId is one of our request events fails that run and the import. Answers to other
 * requesters and rejections of other events pass by.
 */
@EventsController()
export class ResolutionEventsConsumer {
  constructor(private readonly recordResolution: RecordResolutionUsecase) {}

  @EventPattern(EventTypes.idrecResolutionResolved)
  async resolved(@Payload() event: HubEventOf<'idrec.resolution.resolved'>, @Ctx() ctx: EventContext): Promise<void> {
    if (event.data.requester !== REQUESTER || event.data.direction !== 'to-recipients') return;
    await this.recordResolution.answered(ctx.manager, event.data);
  }

  @EventPattern(EventTypes.hubEventRejected)
  async rejected(@Payload() event: HubEventOf<'hub.event.rejected'>, @Ctx() ctx: EventContext): Promise<void> {
    if (event.data.eventType !== EventTypes.idrecResolutionRequested || !event.data.eventId) return;
    await this.recordResolution.rejected(ctx.manager, event.data.eventId, event.data.reason);
  }
}
