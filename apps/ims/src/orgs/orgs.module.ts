import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { OrgsController } from './orgs.controller';

@Module({ imports: [AccountsModule], controllers: [OrgsController] })
export class OrgsModule {}
