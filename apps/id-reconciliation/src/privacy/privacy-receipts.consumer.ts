import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { RecordPrivacyReceiptUseCase } from './usecases/record-privacy-receipt.usecase';

/**
 * hub.privacy.v1 in id-reconciliation as the coordinator: every service's receipt (its own part of
 * each request is PrivacyRequestsConsumer's, as in every service).
 */
@EventsController()
export class PrivacyReceiptsConsumer {
  constructor(private readonly receipts: RecordPrivacyReceiptUseCase) {}

  @EventPattern(EventTypes.hubPrivacyReceipt)
  async receipt(@Payload() event: HubEventOf<'hub.privacy.receipt'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.receipts.execute(ctx.manager, event.orgid, event.data);
  }
}
