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
   * (ties keep the current owner), creating links for new ECIDs; a link to a deleted recipient is
   * kept hidden. Returns what the changelog must hear of: the ECIDs whose visible owner changed
   * (linked to another recipient, or shown), and those now owned by a deleted recipient (hidden).
   *
   * Stored links are locked first, in ECID order, so observations of one ECID on different
   * partitions serialize without deadlocking; an ECID that another transaction links meanwhile is
   * decided against that link by the upsert's condition. The caller holds the org's deletions lock
   * shared (DeletedRecipientsRepository), so whose links are hidden cannot change meanwhile.
   */
  async follow(tx: EntityManager, orgId: string, latest: readonly EcidObservation[]): Promise<{ linked: EcidObservation[]; hidden: string[] }> {
    if (latest.length === 0) return { linked: [], hidden: [] };
    const sorted = [...latest].sort((a, b) => (a.ecid < b.ecid ? -1 : a.ecid > b.ecid ? 1 : 0));
    const ecids = sorted.map((o) => o.ecid);
    const before = await queryRows<{ ecid: string; recipient_id: string; owner_deleted: boolean }>(
      tx,
      `SELECT ecid, recipient_id, owner_deleted FROM visitor_links WHERE org_id = $1 AND ecid = ANY($2::text[]) ORDER BY ecid FOR UPDATE`,
      [orgId, ecids],
    );
    const visibleOwnerBefore = new Map(before.filter((row) => !row.owner_deleted).map((row) => [row.ecid, row.recipient_id]));
    const hiddenBefore = new Set(before.filter((row) => row.owner_deleted).map((row) => row.ecid));
    // A written row holds the observation given for its ECID: only the ECID and whether its owner
    // is deleted come back, not the recipient and time (parsing each row's timestamp cost more
    // than the rest of the row).
    const written = await queryRows<{ ecid: string; owner_deleted: boolean }>(
      tx,
      `INSERT INTO visitor_links AS v (org_id, ecid, recipient_id, observed_at, owner_deleted)
       SELECT $1, o.ecid, o.recipient_id, o.observed_at, d.recipient_id IS NOT NULL
         FROM unnest($2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS o(ecid, recipient_id, observed_at, n)
         LEFT JOIN deleted_recipients d ON d.org_id = $1 AND d.recipient_id = o.recipient_id
        ORDER BY o.n
       ON CONFLICT (org_id, ecid) DO UPDATE SET recipient_id = EXCLUDED.recipient_id, observed_at = EXCLUDED.observed_at, owner_deleted = EXCLUDED.owner_deleted,
         linked_at = CASE WHEN v.recipient_id = EXCLUDED.recipient_id THEN v.linked_at ELSE now() END
       WHERE v.observed_at < EXCLUDED.observed_at
       RETURNING ecid, owner_deleted`,
      [orgId, ecids, sorted.map((o) => o.recipientId), sorted.map((o) => o.observedAt.toISOString())],
    );
    const observationOf = new Map(sorted.map((o) => [o.ecid, o]));
    const linked: EcidObservation[] = [];
    const hidden: string[] = [];
    for (const row of written) {
      const observation = observationOf.get(row.ecid)!;
      if (!row.owner_deleted) {
        if (visibleOwnerBefore.get(row.ecid) !== observation.recipientId) linked.push(observation);
      } else if (!hiddenBefore.has(row.ecid)) {
        // An ECID new to this transaction may have been linked by another one meanwhile: its tombstone is sent too.
        hidden.push(row.ecid);
      }
    }
    return { linked, hidden };
  }

  /** Hides a deleted recipient's links; returns the ECIDs it had. */
  async hideRecipient(tx: EntityManager, orgId: string, recipientId: string): Promise<string[]> {
    const rows = await queryRows<{ ecid: string }>(
      tx,
      `UPDATE visitor_links SET owner_deleted = true WHERE org_id = $1 AND recipient_id = $2 AND NOT owner_deleted RETURNING ecid`,
      [orgId, recipientId],
    );
    return rows.map((row) => row.ecid);
  }

  /** Shows the links of re-created recipients again; returns them. */
  async showRecipients(tx: EntityManager, orgId: string, recipientIds: readonly string[]): Promise<EcidObservation[]> {
    const rows = await queryRows<{ ecid: string; recipient_id: string; observed_at: Date }>(
      tx,
      `UPDATE visitor_links SET owner_deleted = false WHERE org_id = $1 AND recipient_id = ANY($2::text[]) AND owner_deleted RETURNING ecid, recipient_id, observed_at`,
      [orgId, recipientIds],
    );
    return rows.map((row) => ({ ecid: row.ecid, recipientId: row.recipient_id, observedAt: row.observed_at }));
  }

  async ofRecipient(tx: EntityManager, orgId: string, recipientId: string): Promise<Array<{ ecid: string; observedAt: string }>> {
    const rows = await queryRows<{ ecid: string; observed_at: Date }>(
      tx,
      `SELECT ecid, observed_at FROM visitor_links WHERE org_id = $1 AND recipient_id = $2 AND NOT owner_deleted ORDER BY observed_at DESC`,
      [orgId, recipientId],
    );
    return rows.map((row) => ({ ecid: row.ecid, observedAt: row.observed_at.toISOString() }));
  }
}
