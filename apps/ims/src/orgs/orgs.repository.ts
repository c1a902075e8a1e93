import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

@Injectable()
export class OrgsRepository {
  /** Inserts the org unless it exists; true when it was created. */
  async insert(db: EntityManager, orgId: string, name: string): Promise<boolean> {
    const rows: unknown[] = await db.query(`INSERT INTO orgs (org_id, name) VALUES ($1, $2) ON CONFLICT (org_id) DO NOTHING RETURNING org_id`, [orgId, name]);
    return rows.length === 1;
  }

  async exists(db: EntityManager, orgId: string): Promise<boolean> {
    const rows: unknown[] = await db.query(`SELECT 1 FROM orgs WHERE org_id = $1`, [orgId]);
    return rows.length === 1;
  }
}
