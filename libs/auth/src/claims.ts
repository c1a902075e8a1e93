/** Access-token profile shared by the IMS (issuer) and every service (verifier). RFC 9068. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** Signing algorithms a verifier accepts; anything else (none, HS256, …) is refused. */
export const ACCESS_TOKEN_ALGORITHMS = ['ES256', 'RS256'] as const;
/** Clock skew tolerated on exp/nbf/iat. */
export const CLOCK_TOLERANCE_SECONDS = 60;

export interface AccessTokenClaims {
  iss: string;
  /** The technical account id. */
  sub: string;
  aud: string | string[];
  client_id: string;
  /** IMS org id of the account: every query of the request is scoped by it. */
  org: string;
  /** Space-separated scopes granted. */
  scope: string;
  iat: number;
  exp: number;
  nbf?: number;
  jti: string;
  /** Id of the client secret the token was obtained with (so revoking a secret revokes its tokens). */
  client_secret_id?: string;
}

/** Where the IMS publishes its keys, relative to its base URL. */
export const JWKS_PATH = '/ims/keys';
