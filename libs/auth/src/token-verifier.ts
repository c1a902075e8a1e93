import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ACCESS_TOKEN_ALGORITHMS, ACCESS_TOKEN_TYPE, CLOCK_TOLERANCE_SECONDS, type AccessTokenClaims } from './claims';
import type { Principal } from './principal';
import { parseScopeList } from './scopes';

/** Why a token was refused, in words an API client can act on. */
export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

export interface TokenVerifierOptions {
  /** Resolves the key for a token's `kid` (a remote JWKS in services; a local set in unit tests). */
  keys: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /** Verified tokens remembered (a client reuses its token for hours); 0 turns the cache off. */
  cacheSize?: number;
}

interface Verified {
  principal: Principal;
  notBefore: number;
  expiresAt: number;
}

const ORG_ID = /^[0-9A-F]{24}@AdobeOrg$/;

/**
 * Verifies IMS access tokens locally: signature against the IMS keys, algorithm pinned to
 * ES256/RS256, `typ` at+jwt, issuer, audience, expiry and not-before with 60 s leeway, and the
 * claims every request relies on.
 */
export class TokenVerifier {
  /**
   * Tokens whose signature and claims were verified, keyed by the whole token (so any change to
   * it misses), until they expire. Time-dependent claims are checked again on every use.
   */
  private readonly verified = new Map<string, Verified>();

  constructor(private readonly options: TokenVerifierOptions) {}

  async verify(token: string): Promise<Principal> {
    const now = Date.now() / 1000;
    const known = this.verified.get(token);
    if (known) {
      if (now > known.expiresAt + CLOCK_TOLERANCE_SECONDS) {
        this.verified.delete(token);
        throw new InvalidTokenError('token expired');
      }
      if (now < known.notBefore - CLOCK_TOLERANCE_SECONDS) throw new InvalidTokenError('token not yet valid');
      return known.principal;
    }
    const principal = await this.verifyFully(token);
    this.remember(token, principal);
    return principal;
  }

  private remember(token: string, principal: Principal): void {
    const size = this.options.cacheSize ?? 10_000;
    if (size <= 0) return;
    if (this.verified.size >= size) this.verified.delete(this.verified.keys().next().value!); // oldest first
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as AccessTokenClaims;
    this.verified.set(token, { principal, notBefore: claims.nbf ?? 0, expiresAt: claims.exp });
  }

  private async verifyFully(token: string): Promise<Principal> {
    let claims: AccessTokenClaims;
    try {
      const { payload } = await jwtVerify<AccessTokenClaims>(token, this.options.keys, {
        algorithms: [...ACCESS_TOKEN_ALGORITHMS],
        typ: ACCESS_TOKEN_TYPE,
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'org', 'scope'],
      });
      claims = payload;
    } catch (error) {
      throw new InvalidTokenError(describe(error));
    }
    if (typeof claims.org !== 'string' || !ORG_ID.test(claims.org)) throw new InvalidTokenError('token has no valid org claim');
    if (typeof claims.scope !== 'string' || typeof claims.client_id !== 'string') throw new InvalidTokenError('token has malformed scope or client_id claims');
    if (claims.iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) throw new InvalidTokenError('token issued in the future');
    return {
      orgId: claims.org,
      clientId: claims.client_id,
      accountId: claims.sub,
      scopes: new Set(parseScopeList(claims.scope)),
      tokenId: claims.jti,
      issuedAt: claims.iat,
      secretId: claims.client_secret_id,
    };
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token not yet valid';
    if (error.claim === 'iss') return 'token issuer is not trusted';
    if (error.claim === 'aud') return 'token audience is not this API';
    if (error.claim === 'typ') return 'token is not an access token (typ must be at+jwt)';
    return `token claim ${error.claim} is invalid: ${error.reason}`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token signing algorithm is not allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'token signed with an unknown key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JWKSTimeout || (error as { code?: string })?.code === 'ERR_JWKS_TIMEOUT') return 'IMS keys could not be fetched in time';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'token is malformed';
  if (error instanceof errors.JOSENotSupported) return 'token uses an unsupported algorithm';
  return 'token is invalid';
}
