import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { createEvent, EventTypes, privacyReceiptAggregateId, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';

/**
 * hub.privacy.v1 in the IMS: it holds no subject's identifiers (orgs, technical accounts, secrets,
 * keys), so every privacy request gets a receipt with zero counts, which the request needs to complete.
 */
@EventsController()
export class PrivacyEventsConsumer {
  @EventPattern(EventTypes.hubPrivacyRequested)
  async requested(@Payload() event: HubEventOf<'hub.privacy.requested'>, @Ctx() ctx: EventContext): Promise<void> {
    const { requestId } = event.data;
    await ctx.publish(
      createEvent({
        type: EventTypes.hubPrivacyReceipt,
        source: '/audience-hub/ims',
        orgId: event.orgid,
        aggregateId: privacyReceiptAggregateId(requestId, 'ims'),
        data: { service: 'ims', requestId, counts: {}, completedAt: new Date().toISOString() },
      }),
    );
  }
}
