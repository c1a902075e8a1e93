import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { IdentityEventsConsumer } from './identity-events.consumer';
import { LinkPendingUsecase } from './link-pending.usecase';
import { PendingRepository } from './pending.repository';

@Module({ imports: [ImportsModule], controllers: [IdentityEventsConsumer], providers: [PendingRepository, LinkPendingUsecase] })
export class PendingModule {}
