import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EventTypes, type HubEventOf } from '@audience-hub/contracts';
import { EventsController, type EventContext } from '@audience-hub/messaging';
import { recordRevocation, RevocationRegistry } from './revocations';

/** Learns revoked accounts and secrets from ims.events.v1; the guard refuses their tokens from then on. */
@EventsController()
export class RevocationsConsumer {
  constructor(private readonly registry: RevocationRegistry) {}

  @EventPattern(EventTypes.imsTechnicalAccountRevoked)
  async revoked(@Payload() event: HubEventOf<'ims.technical-account.revoked'>, @Ctx() ctx: EventContext): Promise<void> {
    const { technicalAccountId, secretId, revokedAt } = event.data;
    await recordRevocation(ctx.manager, technicalAccountId, secretId, revokedAt);
    this.registry.add(technicalAccountId, secretId);
  }
}
