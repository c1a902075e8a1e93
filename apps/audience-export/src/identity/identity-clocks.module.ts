import { Module } from '@nestjs/common';
import { IdentityClocksListener } from './identity-clocks.listener';
import { IdentityClocksRepository } from './identity-clocks.repository';

/** The change clocks of the identity replica (kept by IdentityReplicaModule's consumer, read by update runs). */
@Module({ providers: [IdentityClocksRepository, IdentityClocksListener], exports: [IdentityClocksRepository, IdentityClocksListener] })
export class IdentityClocksModule {}
