import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { CreateTechnicalAccountUseCase } from './usecases/create-technical-account.usecase';
import { GetTechnicalAccountUseCase } from './usecases/get-technical-account.usecase';
import { ListTechnicalAccountsUseCase } from './usecases/list-technical-accounts.usecase';
import { RevokeTechnicalAccountUseCase } from './usecases/revoke-technical-account.usecase';

@Module({
  controllers: [AccountsController],
  providers: [CreateTechnicalAccountUseCase, RevokeTechnicalAccountUseCase, ListTechnicalAccountsUseCase, GetTechnicalAccountUseCase],
  exports: [CreateTechnicalAccountUseCase],
})
export class AccountsModule {}
