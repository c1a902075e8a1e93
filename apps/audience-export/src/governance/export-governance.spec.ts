import { decideShare, denialReason, isAllowed } from './export-governance';

describe('share-to-experience-cloud governance', () => {
  it('allows a data source without blocking controls, recording both decisions', () => {
    const decisions = decideShare({ exportControls: ['no-onsite-targeting'] });
    expect(isAllowed(decisions)).toBe(true);
    expect(decisions).toHaveLength(2);
    expect(decisions.every((decision) => decision.action === 'share-to-experience-cloud')).toBe(true);
    expect(denialReason(decisions)).toBeUndefined();
  });

  it.each([['no-export-to-xc'], ['cannot-be-tied-to-pii']] as const)('denies when the data source has %s', (control) => {
    const decisions = decideShare({ exportControls: [control] });
    expect(isAllowed(decisions)).toBe(false);
    expect(decisions[1]).toMatchObject({ allowed: false, controls: [control] });
    expect(denialReason(decisions)).toContain(control);
  });

  it('denies labels the default policy forbids', () => {
    expect(isAllowed(decideShare({ exportControls: [] }, ['C12']))).toBe(false);
    expect(isAllowed(decideShare({ exportControls: [] }, ['C2']))).toBe(true);
  });
});
