import { Injectable } from '@nestjs/common';
import { queryRows } from '@audience-hub/persistence';
import type { EntityManager } from 'typeorm';

/**
 * What the asked ids resolved to: [n, resolved] for the n-th asked id (1-based), in order of n; an
 * id that resolved to nothing is absent, one that resolved to several appears once per value.
 */
export type Matches = Array<[number, string]>;

/** Visitor ids answered per recipient at most (the most recently observed first). */
export const MAX_ECIDS_PER_RECIPIENT = 5;

/**
 * One set-based statement per call: the ids go in as one JSON array (cheaper to bind than a
 * text[], which the driver escapes element by element) and are joined once with the key values or
 * visitor links. The joins are index lookups per id (LATERAL with LIMIT, which the planner cannot
 * turn into a hash join), so a call costs the same whatever the size of the tables; a hash join
 * would scan every link of the org for every call. Only the matches come back, as one JSON value
 * (parsed natively, where one row per match costs the driver about twice as much CPU).
 */
@Injectable()
export class ResolutionRepository {
  /** `normalized`: the asked ids normalised like the key values. */
  async declaredToRecipients(tx: EntityManager, orgId: string, dataSourceId: string, normalized: string[]): Promise<Matches> {
    return resolveEach(tx, normalized, `SELECT recipient_id AS resolved FROM declared_ids WHERE org_id = $2 AND data_source_id = $3 AND declared_id = i.asked LIMIT 1`, [
      orgId,
      dataSourceId,
    ]);
  }

  async visitorsToRecipients(tx: EntityManager, orgId: string, ecids: string[]): Promise<Matches> {
    return resolveEach(tx, ecids, `SELECT recipient_id AS resolved FROM visitor_links WHERE org_id = $2 AND ecid = i.asked AND NOT owner_deleted LIMIT 1`, [orgId]);
  }

  async recipientsToDeclared(tx: EntityManager, orgId: string, dataSourceId: string, recipientIds: string[]): Promise<Matches> {
    return resolveEach(tx, recipientIds, `SELECT declared_id AS resolved FROM declared_ids WHERE org_id = $2 AND data_source_id = $3 AND recipient_id = i.asked LIMIT 1`, [
      orgId,
      dataSourceId,
    ]);
  }

  async recipientsToVisitors(tx: EntityManager, orgId: string, recipientIds: string[]): Promise<Matches> {
    return resolveEach(
      tx,
      recipientIds,
      `SELECT ecid AS resolved, observed_at FROM visitor_links WHERE org_id = $2 AND recipient_id = i.asked AND NOT owner_deleted ORDER BY observed_at DESC LIMIT ${MAX_ECIDS_PER_RECIPIENT}`,
      [orgId],
      ', r.observed_at DESC',
    );
  }
}

/**
 * Runs `lookup` (a LATERAL subquery over `i.asked` with a `resolved` column; its parameters from
 * $2 on) for every asked id; `thenBy` orders several values of one id.
 */
async function resolveEach(tx: EntityManager, asked: string[], lookup: string, params: unknown[], thenBy = ''): Promise<Matches> {
  const [row] = await queryRows<{ matches: Matches | null }>(
    tx,
    `SELECT json_agg(json_build_array(i.n, r.resolved) ORDER BY i.n${thenBy}) AS matches
       FROM json_array_elements_text($1::json) WITH ORDINALITY AS i(asked, n)
       CROSS JOIN LATERAL (${lookup}) r`,
    [JSON.stringify(asked), ...params],
  );
  return row?.matches ?? [];
}
