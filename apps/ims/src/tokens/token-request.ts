import { OAuthError } from './oauth-error';

export const CLIENT_CREDENTIALS_GRANT = 'client_credentials';

export interface TokenRequest {
  clientId: string;
  clientSecret: string;
  /** As sent: comma- or space-separated; absent means every scope of the account. */
  scope?: string;
}

/**
 * Reads a client credentials request: the form parameters, and the client's credentials from the
 * form (client_secret_post) or the Basic header (client_secret_basic), never both.
 */
export function parseTokenRequest(body: unknown, authorization: string | undefined): TokenRequest {
  const params = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const grantType = param(params, 'grant_type');
  if (!grantType) throw OAuthError.invalidRequest('grant_type is required (send application/x-www-form-urlencoded)');
  if (grantType !== CLIENT_CREDENTIALS_GRANT) throw new OAuthError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported; use client_credentials`);

  const basic = parseBasic(authorization);
  const formId = param(params, 'client_id');
  const formSecret = param(params, 'client_secret');
  if (basic && formSecret) throw OAuthError.invalidRequest('use one client authentication method: the Basic header or client_secret, not both');
  if (basic && formId && formId !== basic.clientId) throw OAuthError.invalidRequest('client_id differs from the Basic header');
  const clientId = basic?.clientId ?? formId;
  const clientSecret = basic?.clientSecret ?? formSecret;
  if (!clientId) throw OAuthError.invalidRequest('client_id is required');
  if (!clientSecret) throw OAuthError.invalidRequest('client_secret is required');
  return { clientId, clientSecret, scope: param(params, 'scope') };
}

/** A parameter sent at most once (RFC 6749 section 3.2); empty means absent. */
function param(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw OAuthError.invalidRequest(`${name} must be sent once, as a string`);
  if (value.length > 4096) throw OAuthError.invalidRequest(`${name} is too long`);
  return value;
}

/** RFC 6749 section 2.3.1: base64 of form-encoded client_id ":" client_secret. Other schemes are ignored. */
function parseBasic(authorization: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw OAuthError.invalidRequest('malformed Basic credentials');
  try {
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { clientId: decode(decoded.slice(0, colon)), clientSecret: decode(decoded.slice(colon + 1)) };
  } catch {
    throw OAuthError.invalidRequest('malformed Basic credentials');
  }
}
