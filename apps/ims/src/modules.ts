import { AuditModule } from '@audience-hub/audit';
import type { ServiceModules } from '@audience-hub/platform';
import { AdminGuard } from './auth/admin.guard';
import { AccountsModule } from './accounts/accounts.module';
import { AuthModule } from './auth/auth.module';
import { BootstrapModule } from './bootstrap/bootstrap.module';
import { imsConfigSchema } from './config';
import { KeysModule } from './keys/keys.module';
import { OrgsModule } from './orgs/orgs.module';
import { SecretsModule } from './secrets/secrets.module';
import { ImsStoreModule } from './store.module';
import { TokensModule } from './tokens/tokens.module';
import { PrivacyModule } from './privacy/privacy.module';

/** The service's modules and configuration: main.ts runs them, describeService documents them. */
export const imsModules: ServiceModules = {
  imports: [
    ImsStoreModule,
    AuthModule,
    KeysModule,
    OrgsModule,
    AccountsModule,
    SecretsModule,
    TokensModule,
    BootstrapModule,
    AuditModule.forRoot({ guards: [AdminGuard] }),
    PrivacyModule,
  ],
  configSchema: imsConfigSchema,
  previewEnv: { IMS_MASTER_KEY: Buffer.alloc(32).toString('base64') },
};
