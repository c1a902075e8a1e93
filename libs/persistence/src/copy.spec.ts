import { copyText } from './copy';
import { isDatabaseUnavailable } from './pg-errors';
import { withDatabaseUser, redactDatabaseUrl } from './database-url';

describe('copyText', () => {
  it('escapes the characters COPY text format treats specially', () => {
    expect(copyText('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyText(null)).toBe('\\N');
    expect(copyText(42)).toBe('42');
  });
});

describe('isDatabaseUnavailable', () => {
  it('treats connection failures as transient and data errors as not', () => {
    expect(isDatabaseUnavailable({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '57P01' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '08006' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '23505', message: 'duplicate key' })).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
  });
});

describe('database urls', () => {
  it('swaps the user and hides passwords in logs', () => {
    expect(withDatabaseUser('postgres://postgres@127.0.0.1:5432/hub', 'svc', 'p w')).toBe('postgres://svc:p%20w@127.0.0.1:5432/hub');
    expect(redactDatabaseUrl('postgres://svc:secret@h/db')).toBe('postgres://svc:***@h/db');
  });
});
