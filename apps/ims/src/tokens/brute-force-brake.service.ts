import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OAuthError } from './oauth-error';
import { tokenRefusals } from './token-refusals.metric';
import { TokenFailuresRepository } from './token-failures.repository';

/** How one admitted attempt ends: the caller reports its outcome. */
export interface BrakeAttempt {
  succeeded(): Promise<void>;
  failed(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The token endpoint's brute-force brake, per client id and calling address, counted in Postgres so
 * every IMS instance shares it: after 5 wrong secrets the pair is locked (429, Retry-After) for 1 s,
 * doubling with each further failure up to 5 minutes. The right secret clears the pair; another
 * address is never locked by this one's failures. Policy: BRAKE in token-failures.repository.ts.
 */
@Injectable()
export class BruteForceBrake implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('token-brake');
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly failures: TokenFailuresRepository,
  ) {}

  /** Lets the attempt through, or throws 429 while the pair is locked. */
  async admit(clientId: string, address: string): Promise<BrakeAttempt> {
    const db = this.dataSource.manager;
    const state = await this.failures.find(db, clientId, address);
    if (state?.retryAfterSeconds !== undefined) throw this.locked(state.retryAfterSeconds);
    if (state && !(await this.failures.claimAttempt(db, clientId, address))) {
      const now = await this.failures.find(db, clientId, address);
      throw this.locked(now?.retryAfterSeconds ?? 1);
    }
    // A pair with failures has this attempt counted already (claimAttempt): only success changes it.
    return {
      succeeded: async () => {
        if (state) await this.failures.clear(db, clientId, address);
      },
      failed: async () => {
        tokenRefusals.inc({ reason: 'invalid_client' });
        if (!state) await this.failures.recordFailure(db, clientId, address);
      },
    };
  }

  onModuleInit(): void {
    this.sweeper = setInterval(() => {
      this.failures.sweep(this.dataSource.manager).catch((error: Error) => this.logger.warn(`sweeping token failures failed: ${error.message}`));
    }, SWEEP_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private locked(retryAfterSeconds: number): OAuthError {
    tokenRefusals.inc({ reason: 'locked' });
    return OAuthError.tooManyRequests(retryAfterSeconds);
  }
}
