import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { DataSourcesRepository } from './data-sources.repository';

/** Keeps the data source catalog: each upsert carries the whole definition, so the latest wins. */
@EventsController()
export class DataSourceEventsConsumer {
  constructor(private readonly dataSources: DataSourcesRepository) {}

  @EventPattern(EventTypes.idrecDataSourceUpserted)
  async upserted(@Payload() event: HubEventOf<'idrec.data-source.upserted'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.dataSources.upsert(ctx.manager, event.orgid, event.data);
  }

  @EventPattern(EventTypes.idrecDataSourceDeleted)
  async deleted(@Payload() event: HubEventOf<'idrec.data-source.deleted'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.dataSources.markDeleted(ctx.manager, event.orgid, event.data.dataSourceId);
  }
}
