import { query, queryRows } from '@audience-hub/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EcidObservation } from './visitor-link.decision';

@Injectable()
export class VisitorLinksRepository {
  /** Keeps every observation as history (not used for resolution). */
  async recordObservations(tx: EntityManager, orgId: string, observations: ReadonlyArray<EcidObservation & { channel: string }>): Promise<void> {
    await query(
      tx,
      `INSERT INTO visitor_observations (org_id, ecid, recipient_id, observed_at, channel)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[])`,
      [orgId, observations.map((o) => o.ecid), observations.map((o) => o.recipientId), observations.map((o) => o.observedAt.toISOString()), observations.map((o) => o.channel)],
    );
  }

  /**
   * Moves each ECID's link to its observation where that is more recent than the stored link
   * (ties keep the current owner), creating links for new ECIDs. Returns the links made or moved
   * to another recipient: those the changelog must hear of.
   *
   * Stored links are locked first, in ECID order, so observations of one ECID on different
   * partitions serialize without deadlocking; an ECID that another transaction links meanwhile is
   * decided against that link by the upsert's condition.
   */
  async follow(tx: EntityManager, orgId: string, latest: readonly EcidObservation[]): Promise<EcidObservation[]> {
    if (latest.length === 0) return [];
    const sorted = [...latest].sort((a, b) => (a.ecid < b.ecid ? -1 : a.ecid > b.ecid ? 1 : 0));
    const ecids = sorted.map((o) => o.ecid);
    const before = await queryRows<{ ecid: string; recipient_id: string }>(
      tx,
      `SELECT ecid, recipient_id FROM visitor_links WHERE org_id = $1 AND ecid = ANY($2::text[]) ORDER BY ecid FOR UPDATE`,
      [orgId, ecids],
    );
    const ownerBefore = new Map(before.map((row) => [row.ecid, row.recipient_id]));
    const written = await queryRows<{ ecid: string; recipient_id: string; observed_at: Date }>(
      tx,
      `INSERT INTO visitor_links AS v (org_id, ecid, recipient_id, observed_at)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[])
       ON CONFLICT (org_id, ecid) DO UPDATE SET recipient_id = EXCLUDED.recipient_id, observed_at = EXCLUDED.observed_at,
         linked_at = CASE WHEN v.recipient_id = EXCLUDED.recipient_id THEN v.linked_at ELSE now() END
       WHERE v.observed_at < EXCLUDED.observed_at
       RETURNING ecid, recipient_id, observed_at`,
      [orgId, ecids, sorted.map((o) => o.recipientId), sorted.map((o) => o.observedAt.toISOString())],
    );
    return written.filter((row) => ownerBefore.get(row.ecid) !== row.recipient_id).map((row) => ({ ecid: row.ecid, recipientId: row.recipient_id, observedAt: row.observed_at }));
  }

  /** Removes a recipient's links; returns the ECIDs it had. */
  async unlinkRecipient(tx: EntityManager, orgId: string, recipientId: string): Promise<string[]> {
    const rows = await queryRows<{ ecid: string }>(tx, `DELETE FROM visitor_links WHERE org_id = $1 AND recipient_id = $2 RETURNING ecid`, [orgId, recipientId]);
    return rows.map((row) => row.ecid);
  }

  async ofRecipient(tx: EntityManager, orgId: string, recipientId: string): Promise<Array<{ ecid: string; observedAt: string }>> {
    const rows = await queryRows<{ ecid: string; observed_at: Date }>(
      tx,
      `SELECT ecid, observed_at FROM visitor_links WHERE org_id = $1 AND recipient_id = $2 ORDER BY observed_at DESC`,
      [orgId, recipientId],
    );
    return rows.map((row) => ({ ecid: row.ecid, observedAt: row.observed_at.toISOString() }));
  }
}
