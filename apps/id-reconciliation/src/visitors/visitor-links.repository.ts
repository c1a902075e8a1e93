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

  /** The current link, locked until the transaction ends so concurrent observations serialize. */
  async current(tx: EntityManager, orgId: string, ecid: string): Promise<CurrentLink | undefined> {
    const rows = await tx.query(`SELECT recipient_id, observed_at FROM visitor_links WHERE org_id = $1 AND ecid = $2 FOR UPDATE`, [orgId, ecid]);
    return rows[0] ? { recipientId: rows[0].recipient_id, observedAt: rows[0].observed_at } : undefined;
  }

  async link(tx: EntityManager, orgId: string, ecid: string, recipientId: string, observedAt: Date): Promise<void> {
    await tx.query(
      `INSERT INTO visitor_links (org_id, ecid, recipient_id, observed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id, ecid) DO UPDATE SET recipient_id = EXCLUDED.recipient_id, observed_at = EXCLUDED.observed_at, linked_at = now()`,
      [orgId, ecid, recipientId, observedAt],
    );
  }

  async refresh(tx: EntityManager, orgId: string, ecid: string, observedAt: Date): Promise<void> {
    await tx.query(`UPDATE visitor_links SET observed_at = $3 WHERE org_id = $1 AND ecid = $2`, [orgId, ecid, observedAt]);
  }

  /** Removes a recipient's links; returns the ECIDs it had. */
  async unlinkRecipient(tx: EntityManager, orgId: string, recipientId: string): Promise<string[]> {
    const rows = await tx.query(`DELETE FROM visitor_links WHERE org_id = $1 AND recipient_id = $2 RETURNING ecid`, [orgId, recipientId]);
    return rows.map((row: { ecid: string }) => row.ecid);
  }

  async ofRecipient(tx: EntityManager, orgId: string, recipientId: string): Promise<Array<{ ecid: string; observedAt: string }>> {
    const rows = await tx.query(`SELECT ecid, observed_at FROM visitor_links WHERE org_id = $1 AND recipient_id = $2 ORDER BY observed_at DESC`, [orgId, recipientId]);
    return rows.map((row: { ecid: string; observed_at: Date }) => ({ ecid: row.ecid, observedAt: row.observed_at.toISOString() }));
  }
}
