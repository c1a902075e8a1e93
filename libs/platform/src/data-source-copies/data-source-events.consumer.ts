import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { DataSourceCopiesRepository } from './data-source-copies.repository';

/**
 * Keeps the copy of the data sources id-reconciliation publishes. No known-org check here: idrec is
 * trusted and its topic is not ordered with ims.events.v1, so a definition may come first.
 */
@EventsController()
export class DataSourceEventsConsumer {
  constructor(private readonly dataSources: DataSourceCopiesRepository) {}

  @EventPattern(EventTypes.idrecDataSourceUpserted)
  async upserted(@Payload() event: HubEventOf<'idrec.data-source.upserted'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.dataSources.upsert(ctx.manager, event.orgid, event.data);
  }

  @EventPattern(EventTypes.idrecDataSourceDeleted)
  async deleted(@Payload() event: HubEventOf<'idrec.data-source.deleted'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.dataSources.markDeleted(ctx.manager, event.orgid, event.data.dataSourceId);
  }
}
