import { decideVisitorLink } from './visitor-link.decision';

const at = (iso: string) => new Date(iso);

describe('most recent observation wins', () => {
  it('links an ECID seen for the first time', () => {
    expect(decideVisitorLink(undefined, { recipientId: 'r1', observedAt: at('2026-01-01T00:00:00Z') })).toBe('take');
  });

  it('moves the ECID to the recipient of a newer observation', () => {
    const current = { recipientId: 'r1', observedAt: at('2026-01-01T00:00:00Z') };
    expect(decideVisitorLink(current, { recipientId: 'r2', observedAt: at('2026-01-02T00:00:00Z') })).toBe('take');
  });

  it('keeps the link when an older observation arrives late', () => {
    const current = { recipientId: 'r2', observedAt: at('2026-01-02T00:00:00Z') };
    expect(decideVisitorLink(current, { recipientId: 'r1', observedAt: at('2026-01-01T00:00:00Z') })).toBe('ignore');
  });

  it('keeps the current owner on a tie', () => {
    const current = { recipientId: 'r1', observedAt: at('2026-01-01T00:00:00Z') };
    expect(decideVisitorLink(current, { recipientId: 'r2', observedAt: at('2026-01-01T00:00:00Z') })).toBe('ignore');
  });

  it('refreshes the time when the owner is seen again', () => {
    const current = { recipientId: 'r1', observedAt: at('2026-01-01T00:00:00Z') };
    expect(decideVisitorLink(current, { recipientId: 'r1', observedAt: at('2026-01-03T00:00:00Z') })).toBe('refresh');
  });
});
