import { IdMessages, isEntityId, xcIdError, type IdType } from '@audience-hub/contracts';

export type Direction = 'to-recipients' | 'to-xc';

/** An asked id no data source of its kind can ever match: its index in the asked ids (from 0) and why. */
export interface InvalidId {
  index: number;
  reason: string;
}

/**
 * The asked ids that are not ids of what `direction` resolves from, with the formats of
 * DESIGN.md section 2 (the same checks as `xc.audience.members` ids): to-recipients, an ECID for
 * the visitor source, a declared id for a declared one; to-xc, a recipient id. A declared id is
 * checked as it is looked up, after the source's normalisation (`lookedUp`, index for index),
 * like the recipients' key values are: with `sha256` an id that is not a declared id as sent may
 * still be one once hashed, and with `trim` one of blanks is none at all.
 */
export function invalidIds(idType: IdType, direction: Direction, asked: readonly string[], lookedUp: readonly string[] = asked): InvalidId[] {
  const invalid: InvalidId[] = [];
  for (let index = 0; index < asked.length; index++) {
    const reason = direction === 'to-xc' ? recipientIdError(asked[index]) : xcIdErrorAsLookedUp(idType, asked[index], lookedUp[index]);
    if (reason !== undefined) invalid.push({ index, reason });
  }
  return invalid;
}

function recipientIdError(id: string): string | undefined {
  return isEntityId(id) ? undefined : `recipient ${IdMessages.entityId}`;
}

function xcIdErrorAsLookedUp(idType: IdType, asked: string, lookedUp: string): string | undefined {
  const error = xcIdError(idType, lookedUp);
  if (error === undefined || lookedUp === asked) return error;
  // Valid as sent, not once normalised (e.g. blanks trimmed to nothing): say so.
  return xcIdError(idType, asked) === undefined ? `${error} after normalisation` : error;
}
