/** Who is calling, from a verified access token. The org scopes every query of the request. */
export interface Principal {
  orgId: string;
  clientId: string;
  /** The technical account id (`sub`). */
  accountId: string;
  scopes: ReadonlySet<string>;
  tokenId: string;
  issuedAt: number;
  secretId?: string;
}
