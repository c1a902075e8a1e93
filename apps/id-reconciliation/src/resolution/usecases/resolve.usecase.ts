import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSourcesRepository } from '../../data-sources/data-sources.repository';
import { idNamespaceOf, normalizeIncoming } from '@audience-hub/contracts';
import { SuppressionsRepository } from '@audience-hub/platform';
import { ResolutionRepository, type Matches } from '../resolution.repository';
import { invalidIds, type Direction, type InvalidId } from '../resolve-ids';

export type { Direction } from '../resolve-ids';

/** matched: for to-recipients {id: XC id, recipientId}; for to-xc {id: XC id, recipientId: asked}. */
export interface Resolution {
  matched: Array<{ id: string; recipientId: string }>;
  unmatched: string[];
}

export class UnknownDataSourceError extends Error {
  constructor(readonly dataSourceId: string) {
    super(`unknown data source ${dataSourceId}`);
  }
}

/** Some asked ids can never match, not being ids of what the call resolves from (see invalidIds). */
export class InvalidIdsError extends Error {
  constructor(
    readonly dataSourceId: string,
    readonly invalid: InvalidId[],
  ) {
    super(`${invalid.length} of the ids are not valid for data source ${dataSourceId}`);
  }
}

/**
 * Resolves ids in one direction; the same answer for the same input (idempotent). An asked id that
 * is not an id of what the call resolves from refuses the whole call (InvalidIdsError, nothing
 * looked up).
 */
@Injectable()
export class ResolveUseCase {
  constructor(
    private readonly dataSources: DataSourcesRepository,
    private readonly resolution: ResolutionRepository,
    private readonly suppressions: SuppressionsRepository,
  ) {}

  async execute(tx: EntityManager, orgId: string, dataSourceId: string, direction: Direction, ids: string[]): Promise<Resolution> {
    const ds = await this.dataSources.find(tx, orgId, dataSourceId);
    if (!ds) throw new UnknownDataSourceError(dataSourceId);
    // Declared ids are looked up normalised like the recipients' key values.
    const lookedUp = direction === 'to-recipients' && ds.idType === 'declared' ? ids.map((id) => normalizeIncoming(id, ds.reconciliationKey!.normalization)) : ids;
    const invalid = invalidIds(ds.idType, direction, ids, lookedUp);
    if (invalid.length > 0) throw new InvalidIdsError(ds.id, invalid);
    if (direction === 'to-recipients') {
      // A suppressed identifier (a privacy request's) resolves to no one: looked up as an id nobody has.
      const allowed = new Set(await this.suppressions.withoutSuppressed(tx, orgId, idNamespaceOf(ds.id, ds.idType), lookedUp));
      const unsuppressed = lookedUp.map((id) => (allowed.has(id) ? id : ''));
      const matches =
        ds.idType === 'visitor' ? await this.resolution.visitorsToRecipients(tx, orgId, unsuppressed) : await this.resolution.declaredToRecipients(tx, orgId, ds.id, unsuppressed);
      return split(ids, matches, (asked, recipientId) => ({ id: asked, recipientId }));
    }
    const matches = ds.idType === 'visitor' ? await this.resolution.recipientsToVisitors(tx, orgId, ids) : await this.resolution.recipientsToDeclared(tx, orgId, ds.id, ids);
    const allowed = new Set(await this.suppressions.withoutSuppressed(tx, orgId, idNamespaceOf(ds.id, ds.idType), [...new Set(matches.map(([, xcId]) => xcId))]));
    const kept: Matches = matches.filter(([, xcId]) => allowed.has(xcId));
    return split(ids, kept, (asked, xcId) => ({ id: xcId, recipientId: asked }));
  }
}

/** Each asked id is matched once per value it resolved to, or unmatched; in the order asked. */
function split(asked: string[], matches: Matches, match: (asked: string, resolved: string) => { id: string; recipientId: string }): Resolution {
  const matched: Resolution['matched'] = [];
  const unmatched: string[] = [];
  let next = 0;
  for (let i = 0; i < asked.length; i++) {
    const first = next;
    for (; next < matches.length && matches[next][0] === i + 1; next++) matched.push(match(asked[i], matches[next][1]));
    if (next === first) unmatched.push(asked[i]);
  }
  return { matched, unmatched };
}
