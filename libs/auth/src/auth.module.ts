import { Global, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { createRemoteJWKSet } from 'jose';
import { DataSource } from 'typeorm';
import { SERVICE_CONFIG, type BaseConfig } from '@audience-hub/platform';
import { ImsAuthGuard } from './ims-auth.guard';
import { RevocationRegistry } from './revocations';
import { RevocationsConsumer } from './revocations.consumer';
import { TokenVerifier } from './token-verifier';

@Injectable()
class RevocationRefresher implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly registry: RevocationRegistry) {}
  async onApplicationBootstrap(): Promise<void> {
    await this.registry.refresh();
    this.registry.start();
  }
  onApplicationShutdown(): void {
    this.registry.stop();
  }
}

/**
 * Protects every HTTP route of the service with IMS tokens (see ImsAuthGuard), verified locally
 * against the IMS JWKS (cached; refetched on an unknown kid at most once per cooldown), and keeps
 * revocations from ims.events.v1. Services list it in their imports; their schema needs the
 * RevokedCredentials migration.
 */
@Global()
@Module({
  controllers: [RevocationsConsumer],
  providers: [
    {
      provide: TokenVerifier,
      inject: [SERVICE_CONFIG],
      useFactory: (config: BaseConfig) =>
        new TokenVerifier({
          keys: createRemoteJWKSet(new URL(config.IMS_JWKS_URL ?? `${config.IMS_URL}/ims/keys`), {
            cooldownDuration: config.IMS_JWKS_COOLDOWN_MS,
            cacheMaxAge: 10 * 60_000,
            timeoutDuration: 5_000,
          }),
          issuer: config.IMS_ISSUER,
          audience: config.IMS_AUDIENCE,
        }),
    },
    { provide: RevocationRegistry, inject: [DataSource], useFactory: (dataSource: DataSource) => new RevocationRegistry(dataSource) },
    RevocationRefresher,
    { provide: APP_GUARD, useClass: ImsAuthGuard },
  ],
  exports: [TokenVerifier, RevocationRegistry],
})
export class AuthModule {}
