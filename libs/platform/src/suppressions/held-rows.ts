import type { EntityManager } from 'typeorm';
import type { PrivacyIdentifiers } from '@audience-hub/contracts';
import { query, queryRows } from '@audience-hub/persistence';

/**
 * What a condition names the request's ids by (`ids.of_org`, `ids.xc_ids_of`, `ids.recipient_ids_of`):
 * HeldRows binds them to its statements' parameters $1, $2 and $3 (privacyIdsParams), so a
 * condition's subqueries are not correlated and the planner sees the arrays' values.
 */
const BOUND_IDS: Record<string, string> = { 'ids.of_org': '$1::text', 'ids.xc_ids_of': '$2::text[]', 'ids.recipient_ids_of': '$3::text[]' };

/** The parameters of a bound condition: the org, every XC id (ECIDs and declared ids), the recipient ids. */
export const privacyIdsParams = (orgId: string, identifiers: PrivacyIdentifiers): unknown[] => [
  orgId,
  [...identifiers.ecids, ...identifiers.declaredIds.map((declared) => declared.declaredId)],
  identifiers.recipientIds,
];

/**
 * The distinct values of `column` among the org's rows of `table`, as an array expression for a
 * condition (`column = ANY(...)`): read by skipping through an index leading with (org_id, column),
 * one lookup per value, so that a condition can use an index whose columns come after it.
 */
export function distinctOfOrg(table: string, column: string): string {
  return `ARRAY(WITH RECURSIVE v AS (
      SELECT min(${column}) AS value FROM ${table} WHERE org_id = ids.of_org
      UNION ALL SELECT (SELECT min(${column}) FROM ${table} WHERE org_id = ids.of_org AND ${column} > v.value) FROM v WHERE v.value IS NOT NULL)
    SELECT value FROM v WHERE value IS NOT NULL)`;
}

/**
 * What a service holds for a privacy request's identifiers, table by table: `held` gives each
 * table's condition on a row over the request's ids (see BOUND_IDS). The access document, the dry
 * run's counts and the erasure read the same conditions, so they cannot disagree. A request's
 * ids are a few thousand among millions of rows: each statement takes index paths (a sequential
 * scan of a million-row table per table and step made a request's seconds).
 */
export class HeldRows {
  private readonly held: Readonly<Record<string, string>>;

  constructor(held: Readonly<Record<string, string>>) {
    this.held = Object.fromEntries(
      Object.entries(held).map(([table, condition]) => [table, condition.replace(/ids\.(of_org|xc_ids_of|recipient_ids_of)\b/g, (name) => BOUND_IDS[name])]),
    );
  }

  /** A table's condition, for statements of the service's own (parameters: privacyIdsParams). */
  condition(table: string): string {
    return this.held[table];
  }

  /** access: every row held, per table, as JSON. */
  async rows(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, Array<Record<string, unknown>>>> {
    const document: Record<string, Array<Record<string, unknown>>> = {};
    for (const [table, held] of Object.entries(this.held)) {
      const rows = await this.select<{ row: Record<string, unknown> }>(tx, `SELECT to_jsonb(t) AS row FROM ${table} t WHERE ${held}`, orgId, identifiers);
      document[table] = rows.map((r) => r.row);
    }
    return document;
  }

  /** dry run: how many rows each table holds. */
  async counts(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const [table, held] of Object.entries(this.held)) {
      const [row] = await this.select<{ n: string }>(tx, `SELECT count(*) AS n FROM ${table} WHERE ${held}`, orgId, identifiers);
      counts[table] = Number(row.n);
    }
    return counts;
  }

  /** delete: every row held, per table; how many each lost. */
  async erase(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const [table, held] of Object.entries(this.held)) {
      counts[table] = (await this.select(tx, `DELETE FROM ${table} WHERE ${held} RETURNING 1`, orgId, identifiers)).length;
    }
    return counts;
  }

  /**
   * A statement over bound conditions (parameters: privacyIdsParams, typed even where a condition
   * leaves one out), planned with index paths wherever the table has one, then back to the
   * planner's choice. A failure aborts the transaction: nothing to restore.
   */
  async select<T extends object>(tx: EntityManager, sql: string, orgId: string, identifiers: PrivacyIdentifiers): Promise<T[]> {
    await query(tx, `SET LOCAL enable_seqscan = off`);
    const rows = await queryRows<T>(tx, `WITH typed_ids AS (SELECT $1::text, $2::text[], $3::text[]) ${sql}`, privacyIdsParams(orgId, identifiers));
    await query(tx, `SET LOCAL enable_seqscan TO DEFAULT`);
    return rows;
  }
}
