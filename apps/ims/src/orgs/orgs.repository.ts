import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { query } from '@audience-hub/persistence';

@Injectable()
export class OrgsRepository {
  /** Inserts the org unless it exists; true when it was created. */
  async insert(db: EntityManager, orgId: string, name: string): Promise<boolean> {
    const { rowCount } = await query(db, `INSERT INTO orgs (org_id, name) VALUES ($1, $2) ON CONFLICT (org_id) DO NOTHING RETURNING org_id`, [orgId, name]);
    return rowCount === 1;
  }

  async exists(db: EntityManager, orgId: string): Promise<boolean> {
    const { rowCount } = await query(db, `SELECT 1 FROM orgs WHERE org_id = $1`, [orgId]);
    return rowCount === 1;
  }
}
