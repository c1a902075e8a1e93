import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidTokenError, TokenVerifier, type Principal } from '@audience-hub/auth';
import { SERVICE_CONFIG } from '@audience-hub/platform';
import { AccountsRepository } from '../accounts/accounts.repository';
import type { ImsConfig } from '../config';
import { SigningKeysService } from '../keys/signing-keys.service';

/**
 * The IMS's own check of its tokens: the shared verifier (signature, pinned algorithms, typ,
 * issuer, audience, expiry) against the keys it publishes, then the account and secret as they
 * are now in the database, so a revocation counts here at once.
 */
@Injectable()
export class AccessTokenValidator {
  private readonly verifier: TokenVerifier;

  constructor(
    keys: SigningKeysService,
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    @Inject(SERVICE_CONFIG) config: ImsConfig,
  ) {
    this.verifier = new TokenVerifier({
      keys: (header) => keys.verificationKey(header.kid, header.alg),
      issuer: config.IMS_ISSUER,
      audience: config.IMS_AUDIENCE,
    });
  }

  /** The caller, or InvalidTokenError saying why not. */
  async validate(token: string): Promise<Principal> {
    const principal = await this.verifier.verify(token);
    const status = await this.accounts.credentialStatus(this.dataSource.manager, principal.accountId, principal.secretId);
    if (!status) throw new InvalidTokenError('technical account unknown');
    if (status.accountStatus !== 'active') throw new InvalidTokenError('technical account revoked');
    if (status.secretRevoked === undefined) throw new InvalidTokenError('client secret unknown');
    if (status.secretRevoked) throw new InvalidTokenError('client secret revoked');
    return principal;
  }
}
