import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { LateLinksListener } from './late-links.listener';
import { PendingRepository } from './pending.repository';

/** Late reconciliation: the replica's link changes applied to imported lists (IdentityReplicaModule's listener). */
@Module({ imports: [ImportsModule], providers: [PendingRepository, LateLinksListener], exports: [LateLinksListener] })
export class PendingModule {}
