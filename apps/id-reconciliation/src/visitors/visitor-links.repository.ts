import { returnedRows } from '@audience-hub/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CurrentLink, EcidObservation, LinkChange } from './visitor-link.decision';

@Injectable()
export class VisitorLinksRepository {
  /** Keeps every observation as history (not used for resolution). */
  async recordObservations(tx: EntityManager, orgId: string, observations: ReadonlyArray<EcidObservation & { channel: string }>): Promise<void> {
    await tx.query(
      `INSERT INTO visitor_observations (org_id, ecid, recipient_id, observed_at, channel)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[])`,
      [
        orgId,
        observations.map((o) => o.ecid),
        observations.map((o) => o.recipientId),
        observations.map((o) => o.observedAt.toISOString()),
        observations.map((o) => o.channel),
      ],
    );
  }

  /**
   * The current links of these ECIDs (undefined: none yet), locked until the transaction ends, so
   * observations of one ECID on different partitions serialize. An ECID without a link gets a
   * placeholder row (no recipient) that this transaction must replace through `write`: the lock
   * then covers new ECIDs too. Locks are taken in ECID order, so batches wait instead of
   * deadlocking.
   */
  async lockOrCreate(tx: EntityManager, orgId: string, ecids: readonly string[]): Promise<Map<string, CurrentLink | undefined>> {
    const sorted = [...ecids].sort();
    await tx.query(
      `INSERT INTO visitor_links (org_id, ecid, recipient_id, observed_at)
       SELECT $1, ecid, '', '-infinity' FROM unnest($2::text[]) AS ecid ORDER BY ecid ON CONFLICT DO NOTHING`,
      [orgId, sorted],
    );
    const rows: Array<{ ecid: string; recipient_id: string; observed_at: Date | null }> = await tx.query(
      `SELECT ecid, recipient_id, CASE WHEN recipient_id = '' THEN NULL ELSE observed_at END AS observed_at
       FROM visitor_links WHERE org_id = $1 AND ecid = ANY($2::text[]) ORDER BY ecid FOR UPDATE`,
      [orgId, sorted],
    );
    return new Map(rows.map((row) => [row.ecid, row.observed_at ? { recipientId: row.recipient_id, observedAt: row.observed_at } : undefined]));
  }

  /** Writes the links' new state; `linked_at` moves only when the link was made or moved. */
  async write(tx: EntityManager, orgId: string, changes: readonly LinkChange[]): Promise<void> {
    if (changes.length === 0) return;
    await tx.query(
      `UPDATE visitor_links v SET recipient_id = x.recipient_id, observed_at = x.observed_at,
              linked_at = CASE WHEN x.moved THEN now() ELSE v.linked_at END
       FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::boolean[]) AS x(ecid, recipient_id, observed_at, moved)
       WHERE v.org_id = $1 AND v.ecid = x.ecid`,
      [
        orgId,
        changes.map((c) => c.ecid),
        changes.map((c) => c.recipientId),
        changes.map((c) => c.observedAt.toISOString()),
        changes.map((c) => c.moved),
      ],
    );
  }

  /** Removes a recipient's links; returns the ECIDs it had. */
  async unlinkRecipient(tx: EntityManager, orgId: string, recipientId: string): Promise<string[]> {
    const rows = returnedRows(await tx.query(`DELETE FROM visitor_links WHERE org_id = $1 AND recipient_id = $2 RETURNING ecid`, [orgId, recipientId]));
    return rows.map((row: { ecid: string }) => row.ecid);
  }

  async ofRecipient(tx: EntityManager, orgId: string, recipientId: string): Promise<Array<{ ecid: string; observedAt: string }>> {
    const rows = await tx.query(`SELECT ecid, observed_at FROM visitor_links WHERE org_id = $1 AND recipient_id = $2 ORDER BY observed_at DESC`, [orgId, recipientId]);
    return rows.map((row: { ecid: string; observed_at: Date }) => ({ ecid: row.ecid, observedAt: row.observed_at.toISOString() }));
  }
}
