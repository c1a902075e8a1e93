import fc from 'fast-check';
import { decideVisitorLink, foldObservations, type CurrentLink, type EcidObservation } from './visitor-link.decision';

describe('a batch of visitor observations', () => {
  it('leaves every ECID where deciding the observations one by one leaves it', () => {
    const observation = fc.record({
      ecid: fc.constantFrom('e1', 'e2', 'e3'),
      recipientId: fc.constantFrom('r1', 'r2', 'r3'),
      observedAt: fc.integer({ min: 0, max: 5 }).map((day) => new Date(Date.UTC(2026, 0, 1 + day))),
    });
    const link = fc.option(fc.record({ recipientId: fc.constantFrom('r1', 'r2'), observedAt: fc.integer({ min: 0, max: 5 }).map((day) => new Date(Date.UTC(2026, 0, 1 + day))) }), {
      nil: undefined,
    });
    fc.assert(
      fc.property(fc.record({ e1: link, e2: link, e3: link }), fc.array(observation, { minLength: 1, maxLength: 10 }), (links, observations: EcidObservation[]) => {
        const current = new Map<string, CurrentLink | undefined>(Object.entries(links));
        // One by one, as the single-event handler did: which links end where, and which were published.
        const state = new Map(current);
        const published = new Set<string>();
        for (const o of observations) {
          const decision = decideVisitorLink(state.get(o.ecid), o);
          if (decision !== 'ignore') state.set(o.ecid, { recipientId: o.recipientId, observedAt: o.observedAt });
          if (decision === 'take') published.add(o.ecid);
        }
        const folded = new Map(current);
        for (const change of foldObservations(current, observations)) folded.set(change.ecid, { recipientId: change.recipientId, observedAt: change.observedAt });
        expect(folded).toEqual(state);
        expect(new Set(foldObservations(current, observations).filter((change) => change.moved).map((change) => change.ecid))).toEqual(published);
      }),
      { seed: 20261206, numRuns: 2000 },
    );
  });
});
