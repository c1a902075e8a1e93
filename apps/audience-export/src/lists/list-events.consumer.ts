import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { ListsRepository } from './lists.repository';

/**
 * Keeps audience-export's copy of Campaign lists from campaign.lists.v1. Events of one list share a
 * partition key, so they arrive in order; the inbox makes redelivery a no-op.
 */
@EventsController()
export class ListEventsConsumer {
  constructor(private readonly lists: ListsRepository) {}

  @EventPattern(EventTypes.campaignListCreated)
  async created(@Payload() event: HubEventOf<'campaign.list.created'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.lists.upsertList(ctx.manager, event.orgid, event.data.listId, event.data.label);
  }

  @EventPattern(EventTypes.campaignListMembersAdded)
  async membersAdded(@Payload() event: HubEventOf<'campaign.list.members-added'>, @Ctx() ctx: EventContext): Promise<void> {
    // A list first seen through its members is created unlabelled rather than losing them.
    await this.lists.upsertList(ctx.manager, event.orgid, event.data.listId, null);
    await this.lists.addMembers(ctx.manager, event.orgid, event.data.listId, event.data.recipientIds);
  }

  @EventPattern(EventTypes.campaignListMembersRemoved)
  async membersRemoved(@Payload() event: HubEventOf<'campaign.list.members-removed'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.lists.removeMembers(ctx.manager, event.orgid, event.data.listId, event.data.recipientIds);
  }

  @EventPattern(EventTypes.campaignListDeleted)
  async deleted(@Payload() event: HubEventOf<'campaign.list.deleted'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.lists.deleteList(ctx.manager, event.orgid, event.data.listId);
  }
}
