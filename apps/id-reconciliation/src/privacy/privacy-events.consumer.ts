import { Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
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
    // Earlier attempts were retried with backoff by the consumer; the last one answers a failure instead of dead-lettering.
    if (ctx.attempt < this.config.EVENT_MAX_ATTEMPTS) return this.act.execute(ctx.manager, event.orgid, event.data);
    await ctx.manager.query('SAVEPOINT privacy_request');
    try {
      await this.act.execute(ctx.manager, event.orgid, event.data);
    } catch (error) {
      await ctx.manager.query('ROLLBACK TO SAVEPOINT privacy_request');
      await this.act.fail(ctx.manager, event.orgid, event.data, error instanceof Error ? error.message : String(error));
    }
  }

  @EventPattern(EventTypes.hubPrivacyReceipt)
  async receipt(@Payload() event: HubEventOf<'hub.privacy.receipt'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.receipts.execute(ctx.manager, event.orgid, event.data);
  }
}
