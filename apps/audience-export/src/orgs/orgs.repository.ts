import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Orgs announced by IMS (ims.org.created). */
@Injectable()
export class OrgsRepository {
  async remember(tx: EntityManager, orgId: string, name: string, createdAt: string): Promise<void> {
    await tx.query(`INSERT INTO known_orgs (org_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (org_id) DO UPDATE SET name = EXCLUDED.name`, [
      orgId,
      name,
      createdAt,
    ]);
  }

  /**
   * An org is known once IMS announced it or id-reconciliation published one of its data sources:
   * the two topics are not ordered with each other, and idrec only publishes for orgs it knows.
   */
  async isKnown(tx: EntityManager, orgId: string): Promise<boolean> {
    const [row] = await tx.query(
      `SELECT EXISTS (SELECT 1 FROM known_orgs WHERE org_id = $1) OR EXISTS (SELECT 1 FROM data_sources WHERE org_id = $1) AS known`,
      [orgId],
    );
    return row.known;
  }
}
