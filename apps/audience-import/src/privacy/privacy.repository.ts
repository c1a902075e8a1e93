import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PrivacyIdentifiers } from '@audience-hub/contracts';
import { distinctOfOrg, HeldRows, privacyIdsParams, type IdentityLinkRecord } from '@audience-hub/platform';
import { queryRows } from '@audience-hub/persistence';

/**
 * What audience-import holds for a privacy request's identifiers: the replica's links, list
 * members, pending ids, a run's staging rows, the ids of an audience's kept snapshot. Imports are
 * the org's (imports.org_id); a staging row belongs to the org of its run's import.
 */
const ORG_RUNS = `run_id = ANY(ARRAY(SELECT r.run_id FROM runs r JOIN imports i USING (import_id) WHERE i.org_id = ids.of_org))`;
const ORG_IMPORTS = `import_id = ANY(ARRAY(SELECT import_id FROM imports WHERE org_id = ids.of_org))`;

/** Per table: the condition on a row for the request's `ids` (HeldRows binds them): its org, XC ids and recipient ids. */
const HELD = new HeldRows({
  import_members: `${ORG_RUNS} AND (xc_id = ANY(ids.xc_ids_of) OR recipient_id = ANY(ids.recipient_ids_of))`,
  pending_ids: `${ORG_IMPORTS} AND xc_id = ANY(ids.xc_ids_of)`,
  run_matched: `${ORG_RUNS} AND (xc_id = ANY(ids.xc_ids_of) OR recipient_id = ANY(ids.recipient_ids_of))`,
  run_unmatched: `${ORG_RUNS} AND xc_id = ANY(ids.xc_ids_of)`,
  run_removed: `${ORG_RUNS} AND xc_id = ANY(ids.xc_ids_of)`,
  run_changes: `${ORG_RUNS} AND recipient_id = ANY(ids.recipient_ids_of)`,
  // The XC ids by the primary key (org, data source, XC id), the org's data sources skipped through.
  identity_links: `org_id = ids.of_org AND ((data_source_id = ANY(${distinctOfOrg('identity_links', 'data_source_id')}) AND xc_id = ANY(ids.xc_ids_of)) OR recipient_id = ANY(ids.recipient_ids_of))`,
});

@Injectable()
export class PrivacyRepository {
  /** access: every row held for the identifiers, per table, as JSON. */
  async rowsHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, Array<Record<string, unknown>>>> {
    return { ...(await HELD.rows(tx, orgId, identifiers)), [KEPT_IDS]: await keptIdsHeld(tx, orgId, identifiers) };
  }

  async countHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    return { ...(await HELD.counts(tx, orgId, identifiers)), [KEPT_IDS]: (await keptIdsHeld(tx, orgId, identifiers)).length };
  }

  /** The replica's links of the identifiers, as tombstones: applied, they unlink like idrec's changelog would. */
  async linksToBreak(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<IdentityLinkRecord[]> {
    const rows = await HELD.select<{ data_source_id: string; xc_id: string }>(
      tx,
      `SELECT data_source_id, xc_id FROM identity_links WHERE ${HELD.condition('identity_links')}`,
      orgId,
      identifiers,
    );
    return rows.map((row) => ({ orgId, dataSourceId: row.data_source_id, xcId: row.xc_id, recipientId: null }));
  }

  /** Deletes what is left once the links are broken (pending ids the unlinks made, staging rows...), per table. */
  async eraseHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    return { ...(await HELD.erase(tx, orgId, identifiers)), [KEPT_IDS]: await eraseKeptIds(tx, orgId, identifiers) };
  }
}

/**
 * The kept snapshots' ids (received_snapshot_chunks: a part's ids in one ':'-joined value) are
 * counted per id, not per row, and erased by rewriting the parts that hold them, the snapshot's
 * count of ids following, so a later dry run sends the rest.
 */
const KEPT_IDS = 'received_snapshot_ids';
const KEPT_IDS_OF_ORG = `received_snapshots s JOIN received_snapshot_chunks c USING (snapshot_id) CROSS JOIN LATERAL string_to_table(c.ids, ':') AS x(xc_id)
  WHERE s.org_id = $1 AND x.xc_id = ANY($2::text[])`;

function keptIdsHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Array<{ snapshot_id: string; part: number; xc_id: string }>> {
  return queryRows(tx, `SELECT c.snapshot_id::text AS snapshot_id, c.part, x.xc_id FROM ${KEPT_IDS_OF_ORG}`, privacyIdsParams(orgId, identifiers).slice(0, 2));
}

async function eraseKeptIds(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<number> {
  const [row] = await queryRows<{ erased: string | null }>(
    tx,
    `WITH hit AS (SELECT c.snapshot_id, c.part, count(*) AS n FROM ${KEPT_IDS_OF_ORG} GROUP BY 1, 2),
     rewritten AS (
       UPDATE received_snapshot_chunks c
          SET ids = coalesce((SELECT string_agg(x.xc_id, ':' ORDER BY x.n) FROM string_to_table(c.ids, ':') WITH ORDINALITY AS x(xc_id, n) WHERE x.xc_id <> ALL($2::text[])), '')
         FROM hit WHERE c.snapshot_id = hit.snapshot_id AND c.part = hit.part
       RETURNING hit.snapshot_id, hit.n),
     counted AS (
       UPDATE received_snapshots s SET ids = s.ids - r.n FROM (SELECT snapshot_id, sum(n) AS n FROM rewritten GROUP BY 1) r
        WHERE s.snapshot_id = r.snapshot_id RETURNING r.n)
     SELECT sum(n)::text AS erased FROM counted`,
    privacyIdsParams(orgId, identifiers).slice(0, 2),
  );
  return Number(row?.erased ?? 0);
}
