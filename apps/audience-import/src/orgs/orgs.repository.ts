import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

@Injectable()
export class OrgsRepository {
  async insert(tx: EntityManager, orgId: string, name: string | null): Promise<void> {
    await tx.query(
      `INSERT INTO known_orgs (org_id, name) VALUES ($1, $2)
       ON CONFLICT (org_id) DO UPDATE SET name = COALESCE(EXCLUDED.name, known_orgs.name)`,
      [orgId, name],
    );
  }

  async exists(tx: EntityManager, orgId: string): Promise<boolean> {
    return (await tx.query(`SELECT 1 FROM known_orgs WHERE org_id = $1`, [orgId])).length > 0;
  }
}
