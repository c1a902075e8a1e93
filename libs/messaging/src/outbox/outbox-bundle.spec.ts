import { bundledRecord, canBundle, MAX_BUNDLED_EVENT_CHARS, unbundle } from './outbox-bundle';

describe('outbox bundle', () => {
  it('gives back each record, in order, whatever its key and JSON hold', () => {
    const records = [
      { type: 'idrec.identity.linked', key: 'org@AdobeOrg:ds/K-1', value: JSON.stringify({ data: { xcId: 'K-1', note: 'tab\tnewline\nrs\u001eus\u001f' } }) },
      { type: 'idrec.identity.linked', key: 'org@AdobeOrg:visitor/0123', value: '{}' },
      { type: 't', key: '', value: '' },
    ];
    expect(records.every(({ type, key, value }) => canBundle(type, key, value))).toBe(true);
    const text = records.map(({ type, key, value }, i) => bundledRecord(type, key, value, i === 0)).join('');
    expect(unbundle(text)).toEqual(records);
  });

  it('keeps out what it could not give back whole, and events too big to gain from sharing a row', () => {
    expect(canBundle('t', 'key\u001ewith a separator', '{}')).toBe(false);
    expect(canBundle('t\u001f', 'key', '{}')).toBe(false);
    expect(canBundle('t', 'key', JSON.stringify('x'.repeat(MAX_BUNDLED_EVENT_CHARS)))).toBe(false);
  });

  it('refuses a text that is not a bundle', () => {
    expect(() => unbundle('{"not":"a bundle"}')).toThrow(/malformed outbox bundle/);
  });
});
