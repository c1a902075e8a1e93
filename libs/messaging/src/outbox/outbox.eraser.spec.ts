import { identifierIn } from './outbox.eraser';

describe('identifierIn', () => {
  const wanted = new Set(['rcp-1', '12345678901234567890123456789012345678', 'a/b:c']);

  it('finds an identifier as the whole text or as a part bounded by separators', () => {
    expect(identifierIn('rcp-1', wanted)).toBe(true);
    expect(identifierIn('org-1:visitor/12345678901234567890123456789012345678', wanted)).toBe(true);
    expect(identifierIn('rcp-0,rcp-1,rcp-2', wanted)).toBe(true);
    expect(identifierIn('org:crm/a/b:c', wanted)).toBe(true); // an XC id holding separators
  });

  it('does not take an identifier inside a longer token for it', () => {
    expect(identifierIn('rcp-10', wanted)).toBe(false);
    expect(identifierIn('xrcp-1', wanted)).toBe(false);
    expect(identifierIn('org:visitor/123456789012345678901234567890123456789', wanted)).toBe(false);
  });

  it('searches free text with many separators for each identifier', () => {
    expect(identifierIn(`${'word '.repeat(100)}xrcp-1x`, wanted)).toBe(true);
  });
});
