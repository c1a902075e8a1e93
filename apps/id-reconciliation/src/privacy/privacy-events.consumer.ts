import { Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { answerFailureOnLastAttempt, EventsController, type EventContext } from '@audience-hub/messaging';
import { KnownOrgsService, SERVICE_CONFIG } from '@audience-hub/platform';
import { ActOnPrivacyRequestUseCase } from './usecases/act-on-privacy-request.usecase';
import { RecordPrivacyReceiptUseCase } from './usecases/record-privacy-receipt.usecase';

/**
 * hub.privacy.v1 in id-reconciliation: its own part of each request (as every service does), and,
 * as the coordinator, every service's receipt. Privacy requests are rare: one event at a time.
 */
@EventsController()
export class PrivacyEventsConsumer {
  constructor(
    private readonly orgs: KnownOrgsService,
    private readonly act: ActOnPrivacyRequestUseCase,
    private readonly receipts: RecordPrivacyReceiptUseCase,
    @Inject(SERVICE_CONFIG) private readonly config: { EVENT_MAX_ATTEMPTS: number },
  ) {}

  @EventPattern(EventTypes.hubPrivacyRequested)
  async requested(@Payload() event: HubEventOf<'hub.privacy.requested'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.orgs.requireKnown(ctx.manager, event.orgid);
    await answerFailureOnLastAttempt(
      ctx,
      this.config.EVENT_MAX_ATTEMPTS,
      () => this.act.execute(ctx.manager, event.orgid, event.data),
      (reason) => this.act.fail(ctx.manager, event.orgid, event.data, reason),
    );
  }

  @EventPattern(EventTypes.hubPrivacyReceipt)
  async receipt(@Payload() event: HubEventOf<'hub.privacy.receipt'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.receipts.execute(ctx.manager, event.orgid, event.data);
  }
}
