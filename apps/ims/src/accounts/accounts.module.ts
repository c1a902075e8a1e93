import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { CreateTechnicalAccountUsecase } from './usecases/create-technical-account.usecase';
import { RevokeTechnicalAccountUsecase } from './usecases/revoke-technical-account.usecase';

@Module({
  controllers: [AccountsController],
  providers: [CreateTechnicalAccountUsecase, RevokeTechnicalAccountUsecase],
  exports: [CreateTechnicalAccountUsecase],
})
export class AccountsModule {}
