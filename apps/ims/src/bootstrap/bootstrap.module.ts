import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { BootstrapService } from './bootstrap.service';

@Module({ imports: [AccountsModule], providers: [BootstrapService] })
export class BootstrapModule {}
