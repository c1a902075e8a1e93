import { Module } from '@nestjs/common';
import { PRIVACY_PARTICIPANT, PrivacyRequestsConsumer } from '@audience-hub/platform';
import { PrivacyRepository } from './privacy.repository';
import { ActOnPrivacyRequestUseCase } from './usecases/act-on-privacy-request.usecase';

/** Privacy requests (#15): audience-export erases, or counts, what it holds for a person, and removes it at XC. */
@Module({
  controllers: [PrivacyRequestsConsumer],
  providers: [PrivacyRepository, ActOnPrivacyRequestUseCase, { provide: PRIVACY_PARTICIPANT, useExisting: ActOnPrivacyRequestUseCase }],
})
export class PrivacyModule {}
