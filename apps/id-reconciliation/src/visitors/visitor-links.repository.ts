import { returnedRows } from '@audience-hub/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CurrentLink } from './visitor-link.decision';

@Injectable()
export class VisitorLinksRepository {
  async recordObservation(tx: EntityManager, orgId: string, ecid: string, recipientId: string, observedAt: Date, channel: string): Promise<void> {
    await tx.query(`INSERT INTO visitor_observations (org_id, ecid, recipient_id, observed_at, channel) VALUES ($1, $2, $3, $4, $5)`, [
      orgId,
      ecid,
      recipientId,
      observedAt,
      channel,
    ]);
  }

  /**
   * The current link, locked until the transaction ends, so observations of one ECID on different
   * partitions serialize. When there is none, links it to this observation at once (`created`).
   */
  async lockOrCreate(tx: EntityManager, orgId: string, ecid: string, recipientId: string, observedAt: Date): Promise<CurrentLink | 'created'> {
    for (;;) {
      const rows = await tx.query(`SELECT recipient_id, observed_at FROM visitor_links WHERE org_id = $1 AND ecid = $2 FOR UPDATE`, [orgId, ecid]);
      if (rows[0]) return { recipientId: rows[0].recipient_id, observedAt: rows[0].observed_at };
      const inserted = await tx.query(
        `INSERT INTO visitor_links (org_id, ecid, recipient_id, observed_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1`,
        [orgId, ecid, recipientId, observedAt],
      );
      if (inserted.length > 0) return 'created';
      // Another transaction linked it meanwhile: lock that link and decide against it.
    }
  }

  async link(tx: EntityManager, orgId: string, ecid: string, recipientId: string, observedAt: Date): Promise<void> {
    await tx.query(`UPDATE visitor_links SET recipient_id = $3, observed_at = $4, linked_at = now() WHERE org_id = $1 AND ecid = $2`, [
      orgId,
      ecid,
      recipientId,
      observedAt,
    ]);
  }

  async refresh(tx: EntityManager, orgId: string, ecid: string, observedAt: Date): Promise<void> {
    await tx.query(`UPDATE visitor_links SET observed_at = $3 WHERE org_id = $1 AND ecid = $2`, [orgId, ecid, observedAt]);
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
