import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * What a chunk's ids resolved to: [n, resolved] for the n-th asked id (1-based), in order of n; an
 * id that resolved to nothing is absent, one that resolved to several appears once per value.
 */
export type Matches = Array<[number, string]>;

/** Visitor ids answered per recipient at most (the most recently observed first). */
export const MAX_ECIDS_PER_RECIPIENT = 5;

/**
 * One set-based statement per chunk: the ids go in as one JSON array (cheaper to bind than a
 * text[] of 10,000 elements, which the driver escapes one by one) and are joined once with the
 * key values or visitor links. The joins are index lookups per id (LATERAL with LIMIT, which the
 * planner cannot turn into a hash join), so a chunk costs the same whatever the size of the
 * tables; a hash join would scan every link of the org for every chunk. Only the matches come
 * back, as one JSON value (parsed natively, where 10,000 rows cost the driver twice as much CPU).
 */
@Injectable()
export class ResolutionRepository {
  async declaredToRecipients(tx: EntityManager, orgId: string, dataSourceId: string, normalized: string[]): Promise<Matches> {
    return matches(
      tx,
      `SELECT json_agg(json_build_array(i.n, d.recipient_id) ORDER BY i.n) AS matches
         FROM json_array_elements_text($3::json) WITH ORDINALITY AS i(normalized, n)
         CROSS JOIN LATERAL (
           SELECT recipient_id FROM declared_ids WHERE org_id = $1 AND data_source_id = $2 AND declared_id = i.normalized LIMIT 1
         ) d`,
      [orgId, dataSourceId, JSON.stringify(normalized)],
    );
  }

  async visitorsToRecipients(tx: EntityManager, orgId: string, ecids: string[]): Promise<Matches> {
    return matches(
      tx,
      `SELECT json_agg(json_build_array(i.n, v.recipient_id) ORDER BY i.n) AS matches
         FROM json_array_elements_text($2::json) WITH ORDINALITY AS i(asked, n)
         CROSS JOIN LATERAL (SELECT recipient_id FROM visitor_links WHERE org_id = $1 AND ecid = i.asked LIMIT 1) v`,
      [orgId, JSON.stringify(ecids)],
    );
  }

  async recipientsToDeclared(tx: EntityManager, orgId: string, dataSourceId: string, recipientIds: string[]): Promise<Matches> {
    return matches(
      tx,
      `SELECT json_agg(json_build_array(i.n, d.declared_id) ORDER BY i.n) AS matches
         FROM json_array_elements_text($3::json) WITH ORDINALITY AS i(asked, n)
         CROSS JOIN LATERAL (
           SELECT declared_id FROM declared_ids WHERE org_id = $1 AND data_source_id = $2 AND recipient_id = i.asked LIMIT 1
         ) d`,
      [orgId, dataSourceId, JSON.stringify(recipientIds)],
    );
  }

  async recipientsToVisitors(tx: EntityManager, orgId: string, recipientIds: string[]): Promise<Matches> {
    return matches(
      tx,
      `SELECT json_agg(json_build_array(i.n, v.ecid) ORDER BY i.n, v.observed_at DESC) AS matches
         FROM json_array_elements_text($2::json) WITH ORDINALITY AS i(asked, n)
         CROSS JOIN LATERAL (
           SELECT ecid, observed_at FROM visitor_links WHERE org_id = $1 AND recipient_id = i.asked ORDER BY observed_at DESC LIMIT ${MAX_ECIDS_PER_RECIPIENT}
         ) v`,
      [orgId, JSON.stringify(recipientIds)],
    );
  }
}

async function matches(tx: EntityManager, sql: string, params: unknown[]): Promise<Matches> {
  const [row]: Array<{ matches: Matches | null }> = await tx.query(sql, params);
  return row?.matches ?? [];
}
