import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PrivacyIdentifiers } from '@audience-hub/contracts';
import type { IdentityLinkRecord } from '@audience-hub/platform';
import { queryRows } from '@audience-hub/persistence';

/**
 * What audience-import holds for a privacy request's identifiers: the replica's links, list
 * members, pending ids, a run's staging rows. Imports are the org's (imports.org_id); a staging
 * row belongs to the org of its run's import.
 */
const ORG_RUNS = `SELECT r.run_id FROM runs r JOIN imports i USING (import_id) WHERE i.org_id = ids.of_org`;
const ORG_IMPORTS = `SELECT import_id FROM imports WHERE org_id = ids.of_org`;

/** Per table: the condition on a row for the request's `ids` (WITH_IDS): its org, XC ids and recipient ids. */
const HELD: Record<string, string> = {
  import_members: `run_id IN (${ORG_RUNS}) AND (xc_id = ANY(ids.xc_ids_of) OR recipient_id = ANY(ids.recipient_ids_of))`,
  pending_ids: `import_id IN (${ORG_IMPORTS}) AND xc_id = ANY(ids.xc_ids_of)`,
  run_matched: `run_id IN (${ORG_RUNS}) AND (xc_id = ANY(ids.xc_ids_of) OR recipient_id = ANY(ids.recipient_ids_of))`,
  run_unmatched: `run_id IN (${ORG_RUNS}) AND xc_id = ANY(ids.xc_ids_of)`,
  run_removed: `run_id IN (${ORG_RUNS}) AND xc_id = ANY(ids.xc_ids_of)`,
  run_changes: `run_id IN (${ORG_RUNS}) AND recipient_id = ANY(ids.recipient_ids_of)`,
  identity_links: `org_id = ids.of_org AND (xc_id = ANY(ids.xc_ids_of) OR recipient_id = ANY(ids.recipient_ids_of))`,
};

/** The request's ids as one row every statement joins, whichever of them its condition uses. */
const WITH_IDS = `WITH ids AS (SELECT $1::text AS of_org, $2::text[] AS xc_ids_of, $3::text[] AS recipient_ids_of)`;

const paramsOf = (orgId: string, identifiers: PrivacyIdentifiers) => [orgId, [...identifiers.ecids, ...identifiers.declaredIds.map((d) => d.declaredId)], identifiers.recipientIds];

@Injectable()
export class PrivacyRepository {
  /** access: every row held for the identifiers, per table, as JSON. */
  async rowsHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, Array<Record<string, unknown>>>> {
    const params = paramsOf(orgId, identifiers);
    const document: Record<string, Array<Record<string, unknown>>> = {};
    for (const [table, held] of Object.entries(HELD)) {
      const rows: Array<{ row: Record<string, unknown> }> = await tx.query(`${WITH_IDS} SELECT to_jsonb(t) AS row FROM ${table} t, ids WHERE ${held}`, params);
      document[table] = rows.map((r) => r.row);
    }
    return document;
  }

  async countHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    const params = paramsOf(orgId, identifiers);
    const counts: Record<string, number> = {};
    for (const [table, held] of Object.entries(HELD)) {
      const [row]: Array<{ n: string }> = await tx.query(`${WITH_IDS} SELECT count(*) AS n FROM ${table}, ids WHERE ${held}`, params);
      counts[table] = Number(row.n);
    }
    return counts;
  }

  /** The replica's links of the identifiers, as tombstones: applied, they unlink like idrec's changelog would. */
  async linksToBreak(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<IdentityLinkRecord[]> {
    const rows: Array<{ data_source_id: string; xc_id: string }> = await tx.query(
      `${WITH_IDS} SELECT data_source_id, xc_id FROM identity_links, ids WHERE ${HELD.identity_links}`,
      paramsOf(orgId, identifiers),
    );
    return rows.map((row) => ({ orgId, dataSourceId: row.data_source_id, xcId: row.xc_id, recipientId: null }));
  }

  /** Deletes what is left once the links are broken (pending ids the unlinks made, staging rows...), per table. */
  async eraseHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    const params = paramsOf(orgId, identifiers);
    const counts: Record<string, number> = {};
    for (const [table, held] of Object.entries(HELD)) counts[table] = (await queryRows(tx, `${WITH_IDS} DELETE FROM ${table} USING ids WHERE ${held} RETURNING 1`, params)).length;
    return counts;
  }
}
