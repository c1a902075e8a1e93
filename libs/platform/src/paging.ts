import { DomainError } from './problem';
import type { Page } from '@audience-hub/contracts';

export type { Page };

export interface PageRequest {
  limit: number;
  /** The decoded cursor: the sort key of the last item of the previous page. */
  after?: string;
}

/** `?limit=&cursor=` of every list route: limit 1..1000 (default 100), cursor opaque. */
export function pageRequest(query: { limit?: string; cursor?: string }, defaultLimit = 100): PageRequest {
  const limit = query.limit === undefined ? defaultLimit : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new DomainError('bad-request', 'limit must be an integer from 1 to 1000');
  }
  if (query.cursor === undefined || query.cursor === '') return { limit };
  const after = Buffer.from(query.cursor, 'base64url').toString('utf8');
  if (!after) throw new DomainError('bad-request', 'cursor is not one this API gave');
  return { limit, after };
}

/** Fetch `limit + 1` rows; this cuts them to a page and makes the next cursor from the sort key. */
export function toPage<T>(rows: T[], request: PageRequest, keyOf: (item: T) => string): Page<T> {
  const items = rows.slice(0, request.limit);
  const more = rows.length > request.limit;
  return { items, nextCursor: more ? Buffer.from(keyOf(items[items.length - 1]), 'utf8').toString('base64url') : null };
}
