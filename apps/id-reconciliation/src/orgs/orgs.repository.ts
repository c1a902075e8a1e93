import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

@Injectable()
export class OrgsRepository {
  /** Returns true when the org was not known before. */
  async insert(tx: EntityManager, orgId: string, name: string | null): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO orgs (org_id, name) VALUES ($1, $2)
       ON CONFLICT (org_id) DO UPDATE SET name = COALESCE(EXCLUDED.name, orgs.name)
       RETURNING (xmax = 0) AS inserted`,
      [orgId, name],
    );
    return rows[0].inserted;
  }

  async exists(tx: EntityManager, orgId: string): Promise<boolean> {
    const rows = await tx.query(`SELECT 1 FROM orgs WHERE org_id = $1`, [orgId]);
    return rows.length > 0;
  }
}
