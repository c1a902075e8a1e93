import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { SERVICE_CONFIG } from '@audience-hub/platform';
import type { ImsConfig } from '../config';
import { OAuthError } from './oauth-error';
import { SlidingWindowRateLimiter } from './rate-limiter';
import { tokenRefusals } from './token-refusals.metric';

/**
 * Load shedding of the token endpoint, per calling address and per instance: every request costs
 * an scrypt hash (unknown client ids too, so that they cannot be told apart by timing), so one
 * address may send at most IMS_TOKEN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE requests a minute to an
 * instance. This guards the instance's CPU; guessing secrets is braked across instances by
 * BruteForceBrake, whatever the address spreads its requests over.
 */
@Injectable()
export class AddressRateLimit implements OnModuleDestroy {
  private readonly limiter: SlidingWindowRateLimiter;
  private readonly sweeper: NodeJS.Timeout;

  constructor(@Inject(SERVICE_CONFIG) config: ImsConfig) {
    this.limiter = new SlidingWindowRateLimiter(config.IMS_TOKEN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE);
    this.sweeper = setInterval(() => this.limiter.sweep(), 60_000).unref();
  }

  /** Throws 429 with Retry-After when the address is over its rate. */
  check(address: string): void {
    const decision = this.limiter.take(address);
    if (decision.allowed) return;
    tokenRefusals.inc({ reason: 'rate_limited' });
    throw OAuthError.tooManyRequests(decision.retryAfterSeconds);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }
}
