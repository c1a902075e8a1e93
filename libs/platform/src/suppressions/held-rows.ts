import type { EntityManager } from 'typeorm';
import type { PrivacyIdentifiers } from '@audience-hub/contracts';
import { queryRows } from '@audience-hub/persistence';

/**
 * The request's ids as one row every statement joins (`ids.of_org`, `ids.xc_ids_of`,
 * `ids.recipient_ids_of`), whichever of them a table's condition uses.
 */
export const WITH_PRIVACY_IDS = `WITH ids AS (SELECT $1::text AS of_org, $2::text[] AS xc_ids_of, $3::text[] AS recipient_ids_of)`;

/** The parameters of WITH_PRIVACY_IDS: the org, every XC id (ECIDs and declared ids), the recipient ids. */
export const privacyIdsParams = (orgId: string, identifiers: PrivacyIdentifiers): unknown[] => [
  orgId,
  [...identifiers.ecids, ...identifiers.declaredIds.map((declared) => declared.declaredId)],
  identifiers.recipientIds,
];

/**
 * What a service holds for a privacy request's identifiers, table by table: `held` gives each
 * table's condition on a row over `ids` (WITH_PRIVACY_IDS). The access document, the dry run's
 * counts and the erasure read the same conditions, so they cannot disagree.
 */
export class HeldRows {
  constructor(private readonly held: Readonly<Record<string, string>>) {}

  /** A table's condition, for statements of the service's own (`ids` joined). */
  condition(table: string): string {
    return this.held[table];
  }

  /** access: every row held, per table, as JSON. */
  async rows(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, Array<Record<string, unknown>>>> {
    const document: Record<string, Array<Record<string, unknown>>> = {};
    for (const [table, held] of Object.entries(this.held)) {
      const rows = await queryRows<{ row: Record<string, unknown> }>(
        tx,
        `${WITH_PRIVACY_IDS} SELECT to_jsonb(t) AS row FROM ${table} t, ids WHERE ${held}`,
        privacyIdsParams(orgId, identifiers),
      );
      document[table] = rows.map((r) => r.row);
    }
    return document;
  }

  /** dry run: how many rows each table holds. */
  async counts(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const [table, held] of Object.entries(this.held)) {
      const [row] = await queryRows<{ n: string }>(tx, `${WITH_PRIVACY_IDS} SELECT count(*) AS n FROM ${table}, ids WHERE ${held}`, privacyIdsParams(orgId, identifiers));
      counts[table] = Number(row.n);
    }
    return counts;
  }

  /** delete: every row held, per table; how many each lost. */
  async erase(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const [table, held] of Object.entries(this.held)) {
      counts[table] = (await queryRows(tx, `${WITH_PRIVACY_IDS} DELETE FROM ${table} USING ids WHERE ${held} RETURNING 1`, privacyIdsParams(orgId, identifiers))).length;
    }
    return counts;
  }
}
