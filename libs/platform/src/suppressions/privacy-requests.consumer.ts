import { Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import { EventTypes, type EventDataOf, type HubEventOf } from '@audience-hub/contracts';
import { answerFailureOnLastAttempt, EventsController, type EventContext } from '@audience-hub/messaging';
import { KnownOrgsService } from '../known-orgs/known-orgs.service';
import { SERVICE_CONFIG } from '../tokens';

/** A service's part of a privacy request: it acts and answers a receipt, or answers a failed one. */
export interface PrivacyParticipant {
  execute(tx: EntityManager, orgId: string, data: EventDataOf<'hub.privacy.requested'>): Promise<void>;
  fail(tx: EntityManager, orgId: string, data: EventDataOf<'hub.privacy.requested'>, reason: string): Promise<void>;
}

/** The provider a service binds its participant (its act-on-privacy-request use case) to. */
export const PRIVACY_PARTICIPANT = Symbol('PRIVACY_PARTICIPANT');

/**
 * hub.privacy.v1's requests, in every service that holds subjects' identifiers: its participant
 * acts in the event's transaction; when the last attempt still fails, it answers a failed receipt
 * instead of dead-lettering, so the request ends `partial` naming the service. One event at a
 * time: privacy requests are rare.
 */
@EventsController()
export class PrivacyRequestsConsumer {
  constructor(
    private readonly orgs: KnownOrgsService,
    @Inject(PRIVACY_PARTICIPANT) private readonly participant: PrivacyParticipant,
    @Inject(SERVICE_CONFIG) private readonly config: { EVENT_MAX_ATTEMPTS: number },
  ) {}

  @EventPattern(EventTypes.hubPrivacyRequested)
  async requested(@Payload() event: HubEventOf<'hub.privacy.requested'>, @Ctx() ctx: EventContext): Promise<void> {
    await this.orgs.requireKnown(ctx.manager, event.orgid);
    await answerFailureOnLastAttempt(
      ctx,
      this.config.EVENT_MAX_ATTEMPTS,
      () => this.participant.execute(ctx.manager, event.orgid, event.data),
      (reason) => this.participant.fail(ctx.manager, event.orgid, event.data, reason),
    );
  }
}
