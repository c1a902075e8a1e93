import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@audience-hub/persistence';

/** sha256 of `<namespace>:<value>` in SQL, as identifierHash computes it in TypeScript. */
const HASH_OF = (namespace: string, value: string) => `encode(sha256(convert_to(${namespace} || ':' || ${value}, 'UTF8')), 'hex')`;

/**
 * The org's suppressed identifiers (hashes only): added by a `suppress` privacy request, removed by
 * an `unsuppress`, and refused by imports, exports and resolution meanwhile. An org without
 * suppressions costs one index probe per check.
 */
@Injectable()
export class SuppressionsRepository {
  async add(tx: EntityManager, orgId: string, hashes: readonly string[]): Promise<number> {
    return (await queryRows(tx, `INSERT INTO suppressed_ids (org_id, hash) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING 1`, [orgId, hashes])).length;
  }

  async remove(tx: EntityManager, orgId: string, hashes: readonly string[]): Promise<number> {
    return (await queryRows(tx, `DELETE FROM suppressed_ids WHERE org_id = $1 AND hash = ANY($2::text[]) RETURNING 1`, [orgId, hashes])).length;
  }

  private async any(tx: EntityManager, orgId: string): Promise<boolean> {
    return (await queryRows(tx, `SELECT 1 FROM suppressed_ids WHERE org_id = $1 LIMIT 1`, [orgId])).length > 0;
  }

  /** `ids` without the suppressed ones, in their order; `namespace` is `ecid`, `recipientId` or a declared data source's id. */
  async withoutSuppressed(tx: EntityManager, orgId: string, namespace: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0 || !(await this.any(tx, orgId))) return [...ids];
    const rows = await queryRows<{ id: string }>(
      tx,
      `SELECT u.id FROM unnest($3::text[]) WITH ORDINALITY AS u(id, n)
        WHERE NOT EXISTS (SELECT 1 FROM suppressed_ids s WHERE s.org_id = $1 AND s.hash = ${HASH_OF('$2::text', 'u.id')})
        ORDER BY u.n`,
      [orgId, namespace, ids],
    );
    return rows.map((row) => row.id);
  }

  /** Deletes the rows of `table` whose `column` holds a suppressed id (a transaction's temporary table of ids to send). */
  async deleteSuppressed(tx: EntityManager, orgId: string, namespace: string, table: string, column: string): Promise<number> {
    if (!(await this.any(tx, orgId))) return 0;
    return (
      await queryRows(
        tx,
        `DELETE FROM ${table} t WHERE t.${column} IS NOT NULL AND EXISTS (SELECT 1 FROM suppressed_ids s WHERE s.org_id = $1 AND s.hash = ${HASH_OF('$2::text', `t.${column}`)}) RETURNING 1`,
        [orgId, namespace],
      )
    ).length;
  }
}
