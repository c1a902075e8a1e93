import { createHash } from 'node:crypto';
import { declaredIdProblem, normalizeAttribute, normalizeIncoming } from './normalization';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('normalisation', () => {
  it('trims, lowercases and hashes recipient attributes in a fixed order', () => {
    expect(normalizeAttribute('  Ann@Example.COM ', ['trim', 'lowercase'])).toBe('ann@example.com');
    expect(normalizeAttribute('  Ann@Example.COM ', ['sha256', 'lowercase', 'trim'])).toBe(sha('ann@example.com'));
    expect(normalizeAttribute(42, [])).toBe('42');
  });

  it('gives no id for missing or blank values', () => {
    expect(normalizeAttribute(null, ['trim'])).toBeUndefined();
    expect(normalizeAttribute(undefined, [])).toBeUndefined();
    expect(normalizeAttribute('   ', ['trim', 'sha256'])).toBeUndefined();
  });

  it('normalises incoming XC ids the same way, taking 64-hex ids as already hashed', () => {
    expect(normalizeIncoming(' CRM-7 ', ['trim', 'lowercase'])).toBe('crm-7');
    const hash = sha('ann@example.com');
    expect(normalizeIncoming(hash.toUpperCase(), ['trim', 'lowercase', 'sha256'])).toBe(hash);
    expect(normalizeIncoming('Ann@Example.com', ['trim', 'lowercase', 'sha256'])).toBe(hash);
    expect(normalizeIncoming('Case-Kept', [])).toBe('Case-Kept');
  });

  it('refuses declared ids with ":" or over 256 characters', () => {
    expect(declaredIdProblem('a:b')).toMatch(/":"/);
    expect(declaredIdProblem('x'.repeat(257))).toMatch(/257 characters/);
    expect(declaredIdProblem('x'.repeat(256))).toBeUndefined();
  });
});
