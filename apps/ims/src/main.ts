import './tracing';
import 'reflect-metadata';
import { runService } from '@audience-hub/platform';
import { AccountsModule } from './accounts/accounts.module';
import { AuthModule } from './auth/auth.module';
import { BootstrapModule } from './bootstrap/bootstrap.module';
import { imsConfigSchema } from './config';
import { KeysModule } from './keys/keys.module';
import { OrgsModule } from './orgs/orgs.module';
import { SecretsModule } from './secrets/secrets.module';
import { imsService } from './service';
import { ImsStoreModule } from './store.module';
import { TokensModule } from './tokens/tokens.module';

runService(imsService, {
  imports: [ImsStoreModule, AuthModule, KeysModule, OrgsModule, AccountsModule, SecretsModule, TokensModule, BootstrapModule],
  configSchema: imsConfigSchema,
});
