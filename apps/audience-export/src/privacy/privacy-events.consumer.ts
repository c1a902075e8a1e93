import { Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { answerFailureOnLastAttempt, EventsController, type EventContext } from '@audience-hub/messaging';
import { KnownOrgsService, SERVICE_CONFIG } from '@audience-hub/platform';
import { ActOnPrivacyRequestUseCase } from './usecases/act-on-privacy-request.usecase';

/** hub.privacy.v1: audience-export's part of each privacy request, answered with a receipt. */
@EventsController()
export class PrivacyEventsConsumer {
  constructor(
    private readonly orgs: KnownOrgsService,
    private readonly act: ActOnPrivacyRequestUseCase,
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
}
