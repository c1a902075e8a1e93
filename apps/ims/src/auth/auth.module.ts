import { Global, Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { AccessTokenValidator } from './access-token.validator';
import { AdminGuard } from './admin.guard';

/** Token validation for the admin guard and validate_token; global so every admin controller's guard finds it. */
@Global()
@Module({
  imports: [KeysModule],
  providers: [AccessTokenValidator, AdminGuard],
  exports: [AccessTokenValidator, AdminGuard],
})
export class AuthModule {}
