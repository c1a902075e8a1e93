import { grantScopes } from './granted-scopes';

describe('grantScopes', () => {
  const account = ['audiences.read', 'audiences.write', 'identities.read'];

  it('grants every scope of the account when none is requested', () => {
    expect(grantScopes(undefined, account)).toEqual({ ok: true, scopes: account });
    expect(grantScopes(' , ', account)).toEqual({ ok: true, scopes: account });
  });

  it('reads comma- or space-separated lists, ignoring repeats', () => {
    expect(grantScopes('audiences.read,identities.read', account)).toEqual({ ok: true, scopes: ['audiences.read', 'identities.read'] });
    expect(grantScopes('audiences.read identities.read  audiences.read', account)).toEqual({ ok: true, scopes: ['audiences.read', 'identities.read'] });
    expect(grantScopes('audiences.write, identities.read', account)).toEqual({ ok: true, scopes: ['audiences.write', 'identities.read'] });
  });

  it('refuses any scope the account does not hold, naming it', () => {
    expect(grantScopes('audiences.read,ims.admin', account)).toEqual({ ok: false, notGranted: ['ims.admin'] });
    expect(grantScopes('made.up', account)).toEqual({ ok: false, notGranted: ['made.up'] });
  });
});
