import { Module } from '@nestjs/common';
import { PrivacyEventsConsumer } from './privacy-events.consumer';
import { PrivacyRepository } from './privacy.repository';
import { ActOnPrivacyRequestUseCase } from './usecases/act-on-privacy-request.usecase';

/** Privacy requests (#15): audience-export erases, or counts, what it holds for a person, and removes it at XC. */
@Module({ controllers: [PrivacyEventsConsumer], providers: [PrivacyRepository, ActOnPrivacyRequestUseCase] })
export class PrivacyModule {}
