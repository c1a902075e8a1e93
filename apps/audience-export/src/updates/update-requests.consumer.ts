import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, RejectEventError, type EventContext } from '@audience-hub/messaging';
import { DataSourceCopiesRepository, KnownOrgsService } from '@audience-hub/platform';
import { SharedAudiencesRepository } from '../shared-audiences/shared-audiences.repository';
import { SharedAudiencesService } from '../shared-audiences/shared-audiences.service';
import { RequestUpdateUseCase } from './usecases/request-update.usecase';

/**
 * The "Update shared audience" activity from Campaign workflows. It names an existing shared
 * audience, or a segment name (an audience of that name is reused, else created). An unknown list
 * is not rejected here: the run fails with that reason, so Campaign hears the outcome.
 */
@EventsController()
export class UpdateRequestsConsumer {
  constructor(
    private readonly orgs: KnownOrgsService,
    private readonly dataSources: DataSourceCopiesRepository,
    private readonly audiences: SharedAudiencesRepository,
    private readonly sharedAudiences: SharedAudiencesService,
    private readonly requestUpdate: RequestUpdateUseCase,
  ) {}

  @EventPattern(EventTypes.campaignSharedAudienceUpdateRequested)
  async requested(@Payload() event: HubEventOf<'campaign.shared-audience.update-requested'>, @Ctx() ctx: EventContext): Promise<void> {
    const { data, orgid: orgId } = event;
    const tx = ctx.manager;
    await this.orgs.requireKnown(tx, orgId);
    const dataSource = await this.dataSources.find(tx, orgId, data.dataSourceId);
    if (!dataSource) throw new RejectEventError(`unknown data source ${data.dataSourceId}`);
    const audience = data.sharedAudienceId
      ? await this.audiences.find(tx, orgId, data.sharedAudienceId)
      : ((await this.audiences.findByName(tx, orgId, data.segmentName!)) ?? (await this.sharedAudiences.define(tx, orgId, data.segmentName!, dataSource)));
    if (!audience) throw new RejectEventError(`unknown shared audience ${data.sharedAudienceId}`);
    if (audience.dataSourceId !== data.dataSourceId) {
      throw new RejectEventError(`shared audience ${audience.id} exports through data source ${audience.dataSourceId}, not ${data.dataSourceId}`);
    }
    await this.requestUpdate.execute(tx, { orgId, sharedAudienceId: audience.id, listId: data.listId, mode: data.mode, requestId: data.requestId });
  }
}
