import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { CreateTechnicalAccountUseCase } from './usecases/create-technical-account.usecase';
import { RevokeTechnicalAccountUseCase } from './usecases/revoke-technical-account.usecase';

@Module({
  controllers: [AccountsController],
  providers: [CreateTechnicalAccountUseCase, RevokeTechnicalAccountUseCase],
  exports: [CreateTechnicalAccountUseCase],
})
export class AccountsModule {}
