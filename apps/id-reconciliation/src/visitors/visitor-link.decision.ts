export interface CurrentLink {
  recipientId: string;
  observedAt: Date;
}

export interface Observation {
  recipientId: string;
  observedAt: Date;
}

/**
 * The most recent observation of an ECID decides its recipient:
 * - `take`: no owner yet, or a newer observation with another recipient (the link moves);
 * - `refresh`: the owner seen again later (same link, newer time);
 * - `ignore`: an observation older than the current link's (kept as history only).
 * Ties keep the current owner, so redelivery or reordering at equal times changes nothing.
 */
export function decideVisitorLink(current: CurrentLink | undefined, observation: Observation): 'take' | 'refresh' | 'ignore' {
  if (!current) return 'take';
  if (observation.observedAt.getTime() <= current.observedAt.getTime()) return 'ignore';
  return observation.recipientId === current.recipientId ? 'refresh' : 'take';
}

export interface EcidObservation extends Observation {
  ecid: string;
}

/**
 * Per ECID, the observation that decides its link among these: the first of the most recent ones
 * (what deciding them one by one from no link leaves). Against a stored link, it wins only if
 * more recent, which gives the outcome of deciding every observation one by one from that link.
 */
export function latestPerEcid(observations: readonly EcidObservation[]): EcidObservation[] {
  const latest = new Map<string, EcidObservation>();
  for (const observation of observations) {
    const current = latest.get(observation.ecid);
    if (!current || decideVisitorLink(current, observation) !== 'ignore') latest.set(observation.ecid, observation);
  }
  return [...latest.values()];
}
