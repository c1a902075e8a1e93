import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface Pair {
  /** The id as asked. */
  asked: string;
  /** What it resolved to, or null. */
  resolved: string | null;
}

/** Visitor ids answered per recipient at most (the most recently observed first). */
export const MAX_ECIDS_PER_RECIPIENT = 5;

/**
 * One set-based statement per chunk: the ids go in as one JSON array (kept in order; cheaper to
 * bind than a text[] of 10,000 elements, which the driver escapes one by one) and are
 * joined once with the key values or visitor links. The joins are index lookups per id (LATERAL
 * with LIMIT, which the planner cannot turn into a hash join), so a chunk costs the same whatever
 * the size of the tables; a hash join would scan every link of the org for every chunk.
 */
@Injectable()
export class ResolutionRepository {
  async declaredToRecipients(tx: EntityManager, orgId: string, dataSourceId: string, asked: string[], normalized: string[]): Promise<Pair[]> {
    return tx.query(
      `SELECT i.asked, d.recipient_id AS resolved
         FROM ROWS FROM (json_array_elements_text($3::json), json_array_elements_text($4::json)) WITH ORDINALITY AS i(asked, normalized, n)
         LEFT JOIN LATERAL (
           SELECT recipient_id FROM declared_ids WHERE org_id = $1 AND data_source_id = $2 AND declared_id = i.normalized LIMIT 1
         ) d ON true
        ORDER BY i.n`,
      [orgId, dataSourceId, JSON.stringify(asked), JSON.stringify(normalized)],
    );
  }

  async visitorsToRecipients(tx: EntityManager, orgId: string, ecids: string[]): Promise<Pair[]> {
    return tx.query(
      `SELECT i.asked, v.recipient_id AS resolved
         FROM json_array_elements_text($2::json) WITH ORDINALITY AS i(asked, n)
         LEFT JOIN LATERAL (SELECT recipient_id FROM visitor_links WHERE org_id = $1 AND ecid = i.asked LIMIT 1) v ON true
        ORDER BY i.n`,
      [orgId, JSON.stringify(ecids)],
    );
  }

  async recipientsToDeclared(tx: EntityManager, orgId: string, dataSourceId: string, recipientIds: string[]): Promise<Pair[]> {
    return tx.query(
      `SELECT i.asked, d.declared_id AS resolved
         FROM json_array_elements_text($3::json) WITH ORDINALITY AS i(asked, n)
         LEFT JOIN LATERAL (
           SELECT declared_id FROM declared_ids WHERE org_id = $1 AND data_source_id = $2 AND recipient_id = i.asked LIMIT 1
         ) d ON true
        ORDER BY i.n`,
      [orgId, dataSourceId, JSON.stringify(recipientIds)],
    );
  }

  async recipientsToVisitors(tx: EntityManager, orgId: string, recipientIds: string[]): Promise<Pair[]> {
    return tx.query(
      `SELECT i.asked, v.ecid AS resolved
         FROM json_array_elements_text($2::json) WITH ORDINALITY AS i(asked, n)
         LEFT JOIN LATERAL (
           SELECT ecid FROM visitor_links WHERE org_id = $1 AND recipient_id = i.asked ORDER BY observed_at DESC LIMIT ${MAX_ECIDS_PER_RECIPIENT}
         ) v ON true
        ORDER BY i.n`,
      [orgId, JSON.stringify(recipientIds)],
    );
  }
}
