import { Global, Module } from '@nestjs/common';
import { AccountsRepository } from './accounts/accounts.repository';
import { SigningKeysRepository } from './keys/signing-keys.repository';
import { OrgsRepository } from './orgs/orgs.repository';
import { CreateOrgUseCase } from './orgs/usecases/create-org.usecase';
import { SecretHasher } from './secrets/secret-hasher';
import { SecretsRepository } from './secrets/secrets.repository';

/**
 * The IMS's repositories (each in its capability folder) and the secret hasher, shared by every
 * capability: accounts create secrets, secrets lock accounts, tokens read both.
 */
@Global()
@Module({
  providers: [OrgsRepository, CreateOrgUseCase, AccountsRepository, SecretsRepository, SigningKeysRepository, { provide: SecretHasher, useValue: new SecretHasher() }],
  exports: [OrgsRepository, CreateOrgUseCase, AccountsRepository, SecretsRepository, SigningKeysRepository, SecretHasher],
})
export class ImsStoreModule {}
