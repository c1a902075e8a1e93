import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@audience-hub/persistence';
import { KNOWN_ORGS_OPTIONS, type KnownOrg, type KnownOrgsOptions } from './known-orgs.options';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** SQL of the service's known-orgs table, named by its KnownOrgsOptions. */
@Injectable()
export class KnownOrgsRepository {
  private readonly insertSql: string;
  private readonly existsSql: string;
  private readonly withCreatedAt: boolean;

  constructor(@Inject(KNOWN_ORGS_OPTIONS) { table, createdAtColumn, alsoKnownFrom }: KnownOrgsOptions) {
    for (const name of [table, createdAtColumn, alsoKnownFrom]) {
      if (name !== undefined && !IDENTIFIER.test(name)) throw new Error(`known orgs: "${name}" is not a plain lower-case SQL identifier`);
    }
    this.withCreatedAt = createdAtColumn !== undefined;
    const [columns, values] = this.withCreatedAt ? [`org_id, name, ${createdAtColumn}`, `$1, $2, COALESCE($3::timestamptz, now())`] : ['org_id, name', '$1, $2'];
    this.insertSql = `INSERT INTO ${table} (${columns}) VALUES (${values})
      ON CONFLICT (org_id) DO UPDATE SET name = COALESCE(EXCLUDED.name, ${table}.name)
      RETURNING (xmax = 0) AS inserted`;
    const proofs = [table, alsoKnownFrom].filter((name) => name !== undefined);
    this.existsSql = `SELECT ${proofs.map((name) => `EXISTS (SELECT 1 FROM ${name} WHERE org_id = $1)`).join(' OR ')} AS known`;
  }

  /** Records the org, keeping the name known when none is given; true when it was not known before. */
  async insert(tx: EntityManager, org: KnownOrg): Promise<boolean> {
    const params = this.withCreatedAt ? [org.orgId, org.name, org.createdAt ?? null] : [org.orgId, org.name];
    const [row] = await queryRows<{ inserted: boolean }>(tx, this.insertSql, params);
    return row.inserted;
  }

  async exists(tx: EntityManager, orgId: string): Promise<boolean> {
    const [row] = await queryRows<{ known: boolean }>(tx, this.existsSql, [orgId]);
    return row.known;
  }
}
