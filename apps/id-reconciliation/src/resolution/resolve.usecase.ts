import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSourcesRepository } from '../data-sources/data-sources.repository';
import { normalizeIncoming } from '../data-sources/normalization';
import { ResolutionRepository, type Matches } from './resolution.repository';

export type Direction = 'to-recipients' | 'to-xc';

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

/** Resolves a chunk of ids in one direction; the same answer for the same input (idempotent). */
@Injectable()
export class ResolveUseCase {
  constructor(
    private readonly dataSources: DataSourcesRepository,
    private readonly resolution: ResolutionRepository,
  ) {}

  async execute(tx: EntityManager, orgId: string, dataSourceId: string, direction: Direction, ids: string[]): Promise<Resolution> {
    const ds = await this.dataSources.find(tx, orgId, dataSourceId);
    if (!ds) throw new UnknownDataSourceError(dataSourceId);
    if (direction === 'to-recipients') {
      const matches =
        ds.idType === 'visitor'
          ? await this.resolution.visitorsToRecipients(tx, orgId, ids)
          : await this.resolution.declaredToRecipients(
              tx,
              orgId,
              ds.id,
              ids.map((id) => normalizeIncoming(id, ds.reconciliationKey!.normalization)),
            );
      return split(ids, matches, (asked, recipientId) => ({ id: asked, recipientId }));
    }
    const matches =
      ds.idType === 'visitor' ? await this.resolution.recipientsToVisitors(tx, orgId, ids) : await this.resolution.recipientsToDeclared(tx, orgId, ds.id, ids);
    return split(ids, matches, (asked, xcId) => ({ id: xcId, recipientId: asked }));
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
