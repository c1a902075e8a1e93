import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EACH_IN_TURN, EventInBatchFailedError, EventsController, type EventContext } from '@audience-hub/messaging';
import { isDatabaseUnavailable } from '@audience-hub/persistence';
import { KnownOrgsService } from '@audience-hub/platform';
import { ReceiveSnapshotChunkUseCase, type ChunkResolvedAhead, type SnapshotChunk } from './usecases/receive-snapshot-chunk.usecase';

type MembersEvent = HubEventOf<'xc.audience.members'>;

/**
 * `xc.audience.members` chunks, possibly interleaved across audiences and snapshots. A batch's
 * chunks are applied one at a time in its transaction, each chunk's ids resolved against the
 * replica on another connection while the chunk before it is applied.
 */
@EventsController()
export class SnapshotEventsConsumer {
  constructor(
    private readonly orgs: KnownOrgsService,
    private readonly receiveChunk: ReceiveSnapshotChunkUseCase,
  ) {}

  @EventPattern(EventTypes.xcAudienceMembers, EACH_IN_TURN)
  async members(@Payload() events: MembersEvent[], @Ctx() ctx: EventContext): Promise<void> {
    let ahead: Promise<ChunkResolvedAhead> | undefined;
    for (const [index, event] of events.entries()) {
      const resolved = await ahead;
      const next = events[index + 1];
      ahead = next && this.receiveChunk.resolveAhead(next.orgid, chunkOf(next));
      try {
        await this.orgs.requireKnown(ctx.manager, event.orgid);
        await this.receiveChunk.execute(ctx.manager, event.orgid, chunkOf(event), resolved);
      } catch (error) {
        if (isDatabaseUnavailable(error)) throw error;
        throw new EventInBatchFailedError(index, error);
      }
    }
  }
}

function chunkOf(event: MembersEvent): SnapshotChunk {
  const { snapshotId, ...chunk } = event.data;
  return { ...chunk, snapshotKey: `xc:${snapshotId}` };
}
