import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims } from '@audience-hub/auth';
import { SERVICE_CONFIG } from '@audience-hub/platform';
import { AccountsRepository } from '../../accounts/accounts.repository';
import type { ImsConfig } from '../../config';
import { SigningKeysService } from '../../keys/signing-keys.service';
import { SecretHasher } from '../../secrets/secret-hasher';
import { SecretsRepository } from '../../secrets/secrets.repository';
import { BruteForceBrake } from '../brute-force-brake.service';
import { grantScopes } from '../granted-scopes';
import { OAuthError } from '../oauth-error';
import type { TokenRequest } from '../token-request';

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

/**
 * Client credentials grant: past the brute-force brake, authenticate the client, grant scopes, sign
 * an RFC 9068 access token. `address` is the caller's (the brake counts per client id and address).
 */
@Injectable()
export class IssueTokenUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly secrets: SecretsRepository,
    private readonly hasher: SecretHasher,
    private readonly keys: SigningKeysService,
    private readonly brake: BruteForceBrake,
    @Inject(SERVICE_CONFIG) private readonly config: ImsConfig,
  ) {}

  async execute(request: TokenRequest, address: string): Promise<TokenResponse> {
    const attempt = await this.brake.admit(request.clientId, address);
    const db = this.dataSource.manager;
    const account = await this.accounts.findByClientId(db, request.clientId);
    const candidates = account ? await this.secrets.live(db, account.id) : [];
    // Always hashes, also for unknown clients: timing does not reveal which client ids exist.
    const secret = await this.hasher.findMatch(request.clientSecret, candidates);
    // One answer for unknown client, wrong secret, removed secret and revoked account.
    if (!account || !secret || account.status !== 'active') {
      await attempt.failed();
      throw OAuthError.invalidClient();
    }
    await attempt.succeeded();

    const grant = grantScopes(request.scope, account.scopes);
    if (!grant.ok) throw new OAuthError(400, 'invalid_scope', `scope not granted to this client: ${grant.notGranted.join(' ')}`);

    const { kid, alg, key } = await this.keys.signingKey();
    const iat = Math.floor(Date.now() / 1000);
    const claims: AccessTokenClaims = {
      iss: this.config.IMS_ISSUER,
      sub: account.id,
      aud: this.config.IMS_AUDIENCE,
      client_id: account.clientId,
      org: account.orgId,
      scope: grant.scopes.join(' '),
      iat,
      exp: iat + this.config.IMS_TOKEN_TTL_SECONDS,
      jti: randomUUID(),
      client_secret_id: secret.id,
    };
    const accessToken = await new SignJWT({ ...claims }).setProtectedHeader({ alg, kid, typ: ACCESS_TOKEN_TYPE }).sign(key);
    return { access_token: accessToken, token_type: 'bearer', expires_in: this.config.IMS_TOKEN_TTL_SECONDS };
  }
}
