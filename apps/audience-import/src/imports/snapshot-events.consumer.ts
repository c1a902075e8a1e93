import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { KnownOrgsService } from '@audience-hub/platform';
import { ReceiveSnapshotChunkUseCase } from './usecases/receive-snapshot-chunk.usecase';

/** `xc.audience.members` chunks, possibly interleaved across audiences and snapshots. */
@EventsController()
export class SnapshotEventsConsumer {
  constructor(
    private readonly orgs: KnownOrgsService,
    private readonly receiveChunk: ReceiveSnapshotChunkUseCase,
  ) {}

  @EventPattern(EventTypes.xcAudienceMembers)
  async members(@Payload() event: HubEventOf<'xc.audience.members'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.orgs.requireKnown(ctx.manager, event.orgid);
    const { snapshotId, ...chunk } = event.data;
    await this.receiveChunk.execute(ctx.manager, event.orgid, { ...chunk, snapshotKey: `xc:${snapshotId}` });
  }
}
