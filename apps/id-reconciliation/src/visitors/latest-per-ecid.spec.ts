import fc from 'fast-check';
import { decideVisitorLink, latestPerEcid, type CurrentLink, type EcidObservation } from './visitor-link.decision';

describe('a batch of visitor observations', () => {
  const day = fc.integer({ min: 0, max: 5 }).map((n) => new Date(Date.UTC(2026, 0, 1 + n)));

  it('leaves every ECID where deciding the observations one by one leaves it, from any stored link', () => {
    const observation = fc.record({ ecid: fc.constantFrom('e1', 'e2', 'e3'), recipientId: fc.constantFrom('r1', 'r2', 'r3'), observedAt: day });
    const link = fc.option(fc.record({ recipientId: fc.constantFrom('r1', 'r2'), observedAt: day }), { nil: undefined });
    fc.assert(
      fc.property(fc.record({ e1: link, e2: link, e3: link }), fc.array(observation, { minLength: 1, maxLength: 10 }), (links, observations: EcidObservation[]) => {
        const stored = new Map<string, CurrentLink | undefined>(Object.entries(links));
        const oneByOne = new Map(stored);
        for (const o of observations) {
          if (decideVisitorLink(oneByOne.get(o.ecid), o) !== 'ignore') oneByOne.set(o.ecid, { recipientId: o.recipientId, observedAt: o.observedAt });
        }
        // What the repository's upsert does: the batch's latest observation wins only where more recent.
        const batched = new Map(stored);
        for (const o of latestPerEcid(observations)) {
          const current = batched.get(o.ecid);
          if (!current || current.observedAt < o.observedAt) batched.set(o.ecid, { recipientId: o.recipientId, observedAt: o.observedAt });
        }
        expect(batched).toEqual(oneByOne);
      }),
      { seed: 20261206, numRuns: 2000 },
    );
  });
});
