import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { SERVICE_CONFIG } from '@audience-hub/platform';
import type { ImsConfig } from '../config';
import { OAuthError } from './oauth-error';
import { SlidingWindowRateLimiter } from './rate-limiter';

/** Brute-force brake of the token endpoint: per calling address, then per client id. Per instance. */
@Injectable()
export class TokenRateLimits implements OnModuleDestroy {
  private readonly byAddress: SlidingWindowRateLimiter;
  private readonly byClient: SlidingWindowRateLimiter;
  private readonly sweeper: NodeJS.Timeout;

  constructor(@Inject(SERVICE_CONFIG) config: ImsConfig) {
    this.byAddress = new SlidingWindowRateLimiter(config.IMS_TOKEN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE);
    this.byClient = new SlidingWindowRateLimiter(config.IMS_TOKEN_RATE_LIMIT_PER_MINUTE);
    this.sweeper = setInterval(() => {
      this.byAddress.sweep();
      this.byClient.sweep();
    }, 60_000).unref();
  }

  checkAddress(address: string): void {
    const decision = this.byAddress.take(address);
    if (!decision.allowed) throw OAuthError.tooManyRequests(decision.retryAfterSeconds);
  }

  checkClient(clientId: string): void {
    const decision = this.byClient.take(clientId);
    if (!decision.allowed) throw OAuthError.tooManyRequests(decision.retryAfterSeconds);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }
}
