import { Global, Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { AccessTokenValidator } from './access-token.validator';
import { AdminGuard } from './admin.guard';
import { PlatformGuard } from './platform.guard';

/** Token validation for the guards and validate_token; global so every guarded controller finds it. */
@Global()
@Module({
  imports: [KeysModule],
  providers: [AccessTokenValidator, AdminGuard, PlatformGuard],
  exports: [AccessTokenValidator, AdminGuard, PlatformGuard],
})
export class AuthModule {}
