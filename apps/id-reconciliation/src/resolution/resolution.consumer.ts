import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { createEvent, EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, READ_ONLY_HANDLER, RejectEventError, type EventContext } from '@audience-hub/messaging';
import { KnownOrgsService } from '@audience-hub/platform';
import { SOURCE } from '../data-sources/data-source-events';
import { ResolveUseCase, UnknownDataSourceError } from './resolve.usecase';

/**
 * Answers each `idrec.resolution.requested` chunk with one `idrec.resolution.resolved` (same
 * requestId and part). Resolving changes nothing, so the answer goes straight to Kafka (no inbox,
 * no outbox): a redelivered request is answered again under the same event id, which the
 * requester's inbox drops.
 */
@EventsController()
export class ResolutionConsumer {
  constructor(
    private readonly orgs: KnownOrgsService,
    private readonly resolve: ResolveUseCase,
  ) {}

  @EventPattern(EventTypes.idrecResolutionRequested, READ_ONLY_HANDLER)
  async requested(@Payload() event: HubEventOf<'idrec.resolution.requested'>, @Ctx() ctx: EventContext): Promise<void> {
    const { requestId, requester, dataSourceId, direction, part, lastPart, ids } = event.data;
    await this.orgs.requireKnown(ctx.manager, event.orgid);
    let resolution;
    try {
      resolution = await this.resolve.execute(ctx.manager, event.orgid, dataSourceId, direction, ids);
    } catch (error) {
      if (error instanceof UnknownDataSourceError) throw new RejectEventError(error.message, [`data.dataSourceId: ${error.message}`]);
      throw error;
    }
    await ctx.publish(
      createEvent({
        type: EventTypes.idrecResolutionResolved,
        source: SOURCE,
        orgId: event.orgid,
        aggregateId: `${requestId}/${part}`, // answers spread like the requests
        traceparent: event.traceparent,
        data: { requestId, requester, dataSourceId, direction, part, lastPart, ...resolution },
      }),
    );
  }
}
