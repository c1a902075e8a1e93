import { OAuthError } from './oauth-error';
import { parseTokenRequest } from './token-request';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function oauthError(run: () => unknown): OAuthError {
  try {
    run();
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('parseTokenRequest', () => {
  it('reads client_secret_post', () => {
    expect(parseTokenRequest({ grant_type: 'client_credentials', client_id: 'c1', client_secret: 's1', scope: 'a,b' }, undefined)).toEqual({
      clientId: 'c1',
      clientSecret: 's1',
      scope: 'a,b',
    });
  });

  it('reads client_secret_basic, form-decoding both parts', () => {
    expect(parseTokenRequest({ grant_type: 'client_credentials' }, basic('c:1', 's 1+%'))).toEqual({ clientId: 'c:1', clientSecret: 's 1+%', scope: undefined });
  });

  it('answers unsupported_grant_type for another grant and invalid_request without one', () => {
    expect(oauthError(() => parseTokenRequest({ grant_type: 'password', client_id: 'c', client_secret: 's' }, undefined))).toMatchObject({
      status: 400,
      error: 'unsupported_grant_type',
    });
    expect(oauthError(() => parseTokenRequest({ client_id: 'c', client_secret: 's' }, undefined))).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(oauthError(() => parseTokenRequest(undefined, undefined))).toMatchObject({ error: 'invalid_request' });
  });

  it('answers invalid_request for missing credentials, two methods at once, or repeated parameters', () => {
    const grant = { grant_type: 'client_credentials' };
    expect(oauthError(() => parseTokenRequest({ ...grant, client_id: 'c' }, undefined)).description).toMatch(/client_secret/);
    expect(oauthError(() => parseTokenRequest({ ...grant, client_secret: 's' }, undefined)).description).toMatch(/client_id/);
    expect(oauthError(() => parseTokenRequest({ ...grant, client_secret: 's' }, basic('c', 's'))).description).toMatch(/one client authentication method/);
    expect(oauthError(() => parseTokenRequest({ ...grant, client_id: 'other' }, basic('c', 's'))).error).toBe('invalid_request');
    expect(oauthError(() => parseTokenRequest({ ...grant, client_id: 'c', client_secret: 's', scope: ['a', 'b'] }, undefined)).description).toMatch(/once/);
    expect(oauthError(() => parseTokenRequest(grant, `Basic ${Buffer.from('no-colon').toString('base64')}`)).error).toBe('invalid_request');
  });

  it('ignores a non-Basic Authorization header', () => {
    expect(parseTokenRequest({ grant_type: 'client_credentials', client_id: 'c', client_secret: 's' }, 'Bearer abc').clientId).toBe('c');
  });

  it('answers invalid_client with a Basic challenge', () => {
    expect(OAuthError.invalidClient()).toMatchObject({ status: 401, error: 'invalid_client', headers: { 'WWW-Authenticate': expect.stringMatching(/^Basic /) } });
  });
});
