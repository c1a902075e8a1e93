import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { OrgsController } from './orgs.controller';
import { RegisterOrgUseCase } from './usecases/register-org.usecase';

@Module({ imports: [AccountsModule], controllers: [OrgsController], providers: [RegisterOrgUseCase] })
export class OrgsModule {}
