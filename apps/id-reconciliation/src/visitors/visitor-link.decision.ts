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

export interface LinkChange extends CurrentLink {
  ecid: string;
  /** The link was made or moved (not only refreshed): its changelog record is published. */
  moved: boolean;
}

/**
 * Each ECID's link after these observations, taken in order from its current link (none when
 * absent): the outcome of deciding them one by one. ECIDs whose link did not change are left out.
 */
export function foldObservations(current: ReadonlyMap<string, CurrentLink | undefined>, observations: readonly EcidObservation[]): LinkChange[] {
  const changes = new Map<string, LinkChange>();
  for (const observation of observations) {
    const changed = changes.get(observation.ecid);
    const link = changed ?? current.get(observation.ecid);
    const decision = decideVisitorLink(link, observation);
    if (decision === 'ignore') continue;
    changes.set(observation.ecid, {
      ecid: observation.ecid,
      recipientId: observation.recipientId,
      observedAt: observation.observedAt,
      moved: decision === 'take' || (changed?.moved ?? false),
    });
  }
  return [...changes.values()];
}
