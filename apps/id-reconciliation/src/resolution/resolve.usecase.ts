import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSourcesRepository } from '../data-sources/data-sources.repository';
import { normalizeIncoming } from '../data-sources/normalization';
import { ResolutionRepository, type Pair } from './resolution.repository';

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
      const pairs =
        ds.idType === 'visitor'
          ? await this.resolution.visitorsToRecipients(tx, orgId, ids)
          : await this.resolution.declaredToRecipients(
              tx,
              orgId,
              ds.id,
              ids,
              ids.map((id) => normalizeIncoming(id, ds.reconciliationKey!.normalization)),
            );
      return split(pairs, (pair) => ({ id: pair.asked, recipientId: pair.resolved! }));
    }
    const pairs = ds.idType === 'visitor' ? await this.resolution.recipientsToVisitors(tx, orgId, ids) : await this.resolution.recipientsToDeclared(tx, orgId, ds.id, ids);
    return split(pairs, (pair) => ({ id: pair.resolved!, recipientId: pair.asked }));
  }
}

function split(pairs: Pair[], match: (pair: Pair) => { id: string; recipientId: string }): Resolution {
  const matched: Resolution['matched'] = [];
  const unmatched: string[] = [];
  for (const pair of pairs) {
    if (pair.resolved === null) unmatched.push(pair.asked);
    else matched.push(match(pair));
  }
  return { matched, unmatched };
}
