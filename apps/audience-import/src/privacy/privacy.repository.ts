import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PrivacyIdentifiers } from '@audience-hub/contracts';
import { HeldRows, privacyIdsParams, WITH_PRIVACY_IDS, type IdentityLinkRecord } from '@audience-hub/platform';
import { queryRows } from '@audience-hub/persistence';

/**
 * What audience-import holds for a privacy request's identifiers: the replica's links, list
 * members, pending ids, a run's staging rows, the ids of an audience's kept snapshot. Imports are
 * the org's (imports.org_id); a staging row belongs to the org of its run's import.
 */
const ORG_RUNS = `SELECT r.run_id FROM runs r JOIN imports i USING (import_id) WHERE i.org_id = ids.of_org`;
const ORG_IMPORTS = `SELECT import_id FROM imports WHERE org_id = ids.of_org`;
const ORG_SNAPSHOTS = `SELECT snapshot_id FROM received_snapshots WHERE org_id = ids.of_org`;

/** Per table: the condition on a row for the request's `ids` (WITH_PRIVACY_IDS): its org, XC ids and recipient ids. */
const HELD = new HeldRows({
  import_members: `run_id IN (${ORG_RUNS}) AND (xc_id = ANY(ids.xc_ids_of) OR recipient_id = ANY(ids.recipient_ids_of))`,
  pending_ids: `import_id IN (${ORG_IMPORTS}) AND xc_id = ANY(ids.xc_ids_of)`,
  run_matched: `run_id IN (${ORG_RUNS}) AND (xc_id = ANY(ids.xc_ids_of) OR recipient_id = ANY(ids.recipient_ids_of))`,
  run_unmatched: `run_id IN (${ORG_RUNS}) AND xc_id = ANY(ids.xc_ids_of)`,
  run_removed: `run_id IN (${ORG_RUNS}) AND xc_id = ANY(ids.xc_ids_of)`,
  run_changes: `run_id IN (${ORG_RUNS}) AND recipient_id = ANY(ids.recipient_ids_of)`,
  received_snapshot_ids: `snapshot_id IN (${ORG_SNAPSHOTS}) AND xc_id = ANY(ids.xc_ids_of)`,
  identity_links: `org_id = ids.of_org AND (xc_id = ANY(ids.xc_ids_of) OR recipient_id = ANY(ids.recipient_ids_of))`,
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
    const rows = await queryRows<{ data_source_id: string; xc_id: string }>(
      tx,
      `${WITH_PRIVACY_IDS} SELECT data_source_id, xc_id FROM identity_links, ids WHERE ${HELD.condition('identity_links')}`,
      privacyIdsParams(orgId, identifiers),
    );
    return rows.map((row) => ({ orgId, dataSourceId: row.data_source_id, xcId: row.xc_id, recipientId: null }));
  }

  /** Deletes what is left once the links are broken (pending ids the unlinks made, staging rows...), per table. */
  eraseHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    return HELD.erase(tx, orgId, identifiers);
  }
}
