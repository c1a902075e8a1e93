import { Module } from '@nestjs/common';
import { PendingModule } from '../pending/pending.module';
import { PrivacyEventsConsumer } from './privacy-events.consumer';
import { PrivacyRepository } from './privacy.repository';
import { ActOnPrivacyRequestUseCase } from './usecases/act-on-privacy-request.usecase';

/** Privacy requests (#15): audience-import erases, or counts, what it holds for a person. */
@Module({ imports: [PendingModule], controllers: [PrivacyEventsConsumer], providers: [PrivacyRepository, ActOnPrivacyRequestUseCase] })
export class PrivacyModule {}
