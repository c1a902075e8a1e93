import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { IdentityChangesListener } from '@audience-hub/platform';
import { IdentityClocksRepository } from './identity-clocks.repository';

/** IdentityReplicaModule's listener: every batch of changed links ticks the clocks of their data sources. */
@Injectable()
export class IdentityClocksListener implements IdentityChangesListener {
  constructor(private readonly clocks: IdentityClocksRepository) {}

  async onIdentityChanges(tx: EntityManager): Promise<void> {
    await this.clocks.tick(tx);
  }
}
