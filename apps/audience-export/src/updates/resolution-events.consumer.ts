import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { SharedAudiencesRepository } from '../shared-audiences/shared-audiences.repository';
import { UpdateOutcomeService } from './update-outcome.service';
import { UpdatesRepository } from './updates.repository';
import { RecordResolutionUsecase } from './usecases/record-resolution.usecase';
import { REQUESTER } from './usecases/start-update.usecase';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** id-reconciliation's answers to our resolution requests, and its rejections of them. */
@EventsController()
export class ResolutionEventsConsumer {
  constructor(
    private readonly recordResolution: RecordResolutionUsecase,
    private readonly updates: UpdatesRepository,
    private readonly audiences: SharedAudiencesRepository,
    private readonly outcome: UpdateOutcomeService,
  ) {}

  @EventPattern(EventTypes.idrecResolutionResolved)
  async resolved(@Payload() event: HubEventOf<'idrec.resolution.resolved'>, @Ctx() ctx: EventContext): Promise<void> {
    // The topic carries every requester's answers: only ours concern us.
    if (event.data.requester !== REQUESTER || event.data.direction !== 'to-xc') return;
    await this.recordResolution.execute(ctx.manager, event);
  }

  /** A request of ours that id-reconciliation refused (unknown data source or org) fails its run with the reason. */
  @EventPattern(EventTypes.hubEventRejected)
  async rejected(@Payload() event: HubEventOf<'hub.event.rejected'>, @Ctx() ctx: EventContext): Promise<void> {
    const eventId = event.data.eventId;
    if (!eventId || !UUID.test(eventId)) return;
    const ref = await this.updates.findByRequestEvent(ctx.manager, eventId);
    if (!ref) return;
    const update = await this.updates.lock(ctx.manager, ref.orgId, ref.updateId);
    if (update?.state !== 'running') return;
    const audience = await this.audiences.find(ctx.manager, ref.orgId, update.sharedAudienceId);
    await this.outcome.fail(ctx.manager, update, audience?.version ?? 0, `id-reconciliation rejected the resolution request: ${event.data.reason}`);
  }
}
