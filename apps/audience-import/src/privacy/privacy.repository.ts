import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PrivacyIdentifiers } from '@audience-hub/contracts';
import { distinctOfOrg, HeldRows, type IdentityLinkRecord } from '@audience-hub/platform';

/**
 * What audience-import holds for a privacy request's identifiers: the replica's links, list
 * members, pending ids, a run's staging rows, the ids of an audience's kept snapshot. Imports are
 * the org's (imports.org_id); a staging row belongs to the org of its run's import.
 */
const ORG_RUNS = `run_id = ANY(ARRAY(SELECT r.run_id FROM runs r JOIN imports i USING (import_id) WHERE i.org_id = ids.of_org))`;
const ORG_IMPORTS = `import_id = ANY(ARRAY(SELECT import_id FROM imports WHERE org_id = ids.of_org))`;
const ORG_SNAPSHOTS = `snapshot_id = ANY(ARRAY(SELECT snapshot_id FROM received_snapshots WHERE org_id = ids.of_org))`;

/** Per table: the condition on a row for the request's `ids` (HeldRows binds them): its org, XC ids and recipient ids. */
const HELD = new HeldRows({
  import_members: `${ORG_RUNS} AND (xc_id = ANY(ids.xc_ids_of) OR recipient_id = ANY(ids.recipient_ids_of))`,
  pending_ids: `${ORG_IMPORTS} AND xc_id = ANY(ids.xc_ids_of)`,
  run_matched: `${ORG_RUNS} AND (xc_id = ANY(ids.xc_ids_of) OR recipient_id = ANY(ids.recipient_ids_of))`,
  run_unmatched: `${ORG_RUNS} AND xc_id = ANY(ids.xc_ids_of)`,
  run_removed: `${ORG_RUNS} AND xc_id = ANY(ids.xc_ids_of)`,
  run_changes: `${ORG_RUNS} AND recipient_id = ANY(ids.recipient_ids_of)`,
  received_snapshot_ids: `${ORG_SNAPSHOTS} AND xc_id = ANY(ids.xc_ids_of)`,
  // The XC ids by the primary key (org, data source, XC id), the org's data sources skipped through.
  identity_links: `org_id = ids.of_org AND ((data_source_id = ANY(${distinctOfOrg('identity_links', 'data_source_id')}) AND xc_id = ANY(ids.xc_ids_of)) OR recipient_id = ANY(ids.recipient_ids_of))`,
});

@Injectable()
export class PrivacyRepository {
  /** access: every row held for the identifiers, per table, as JSON. */
  rowsHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, Array<Record<string, unknown>>>> {
    return HELD.rows(tx, orgId, identifiers);
  }

  countHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    return HELD.counts(tx, orgId, identifiers);
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
  eraseHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    return HELD.erase(tx, orgId, identifiers);
  }
}
