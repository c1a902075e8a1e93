import { Module } from '@nestjs/common';
import { PRIVACY_PARTICIPANT, PrivacyRequestsConsumer } from '@audience-hub/platform';
import { PendingModule } from '../pending/pending.module';
import { PrivacyRepository } from './privacy.repository';
import { ActOnPrivacyRequestUseCase } from './usecases/act-on-privacy-request.usecase';

/** Privacy requests (#15): audience-import erases, or counts, what it holds for a person. */
@Module({
  imports: [PendingModule],
  controllers: [PrivacyRequestsConsumer],
  providers: [PrivacyRepository, ActOnPrivacyRequestUseCase, { provide: PRIVACY_PARTICIPANT, useExisting: ActOnPrivacyRequestUseCase }],
})
export class PrivacyModule {}
