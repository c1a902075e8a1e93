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
 * One set-based statement per chunk: the ids go in as an array (UNNEST, kept in order) and are
 * joined once with the key values or visitor links. The joins are index lookups per id (LATERAL
 * with LIMIT, which the planner cannot turn into a hash join), so a chunk costs the same whatever
 * the size of the tables; a hash join would scan every link of the org for every chunk.
 */
@Injectable()
export class ResolutionRepository {
  async declaredToRecipients(tx: EntityManager, orgId: string, dataSourceId: string, asked: string[], normalized: string[]): Promise<Pair[]> {
    return tx.query(
      `SELECT i.asked, d.recipient_id AS resolved
         FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS i(asked, normalized, n)
         LEFT JOIN LATERAL (
           SELECT recipient_id FROM declared_ids WHERE org_id = $1 AND data_source_id = $2 AND declared_id = i.normalized LIMIT 1
         ) d ON true
        ORDER BY i.n`,
      [orgId, dataSourceId, asked, normalized],
    );
  }

  async visitorsToRecipients(tx: EntityManager, orgId: string, ecids: string[]): Promise<Pair[]> {
    return tx.query(
      `SELECT i.asked, v.recipient_id AS resolved
         FROM unnest($2::text[]) WITH ORDINALITY AS i(asked, n)
         LEFT JOIN LATERAL (SELECT recipient_id FROM visitor_links WHERE org_id = $1 AND ecid = i.asked LIMIT 1) v ON true
        ORDER BY i.n`,
      [orgId, ecids],
    );
  }

  async recipientsToDeclared(tx: EntityManager, orgId: string, dataSourceId: string, recipientIds: string[]): Promise<Pair[]> {
    return tx.query(
      `SELECT i.asked, d.declared_id AS resolved
         FROM unnest($3::text[]) WITH ORDINALITY AS i(asked, n)
         LEFT JOIN LATERAL (
           SELECT declared_id FROM declared_ids WHERE org_id = $1 AND data_source_id = $2 AND recipient_id = i.asked LIMIT 1
         ) d ON true
        ORDER BY i.n`,
      [orgId, dataSourceId, recipientIds],
    );
  }

  async recipientsToVisitors(tx: EntityManager, orgId: string, recipientIds: string[]): Promise<Pair[]> {
    return tx.query(
      `SELECT i.asked, v.ecid AS resolved
         FROM unnest($2::text[]) WITH ORDINALITY AS i(asked, n)
         LEFT JOIN LATERAL (
           SELECT ecid FROM visitor_links WHERE org_id = $1 AND recipient_id = i.asked ORDER BY observed_at DESC LIMIT ${MAX_ECIDS_PER_RECIPIENT}
         ) v ON true
        ORDER BY i.n`,
      [orgId, recipientIds],
    );
  }
}
