import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PrivacyIdentifiers } from '@audience-hub/contracts';
import { execute, queryRows } from '@audience-hub/persistence';
import { distinctOfOrg, HeldRows, privacyIdsParams } from '@audience-hub/platform';

const ORG_AUDIENCES = `audience_no = ANY(ARRAY(SELECT audience_no FROM shared_audiences WHERE org_id = ids.of_org))`;

/** Per table: the condition on a row for the request's `ids` (HeldRows binds them): its org, XC ids and recipient ids. */
const HELD = new HeldRows({
  exported_members: `${ORG_AUDIENCES} AND xc_id = ANY(ids.xc_ids_of)`,
  removed_members: `${ORG_AUDIENCES} AND xc_id = ANY(ids.xc_ids_of)`,
  // By the primary key (org, list, recipient), the org's lists skipped through.
  campaign_list_members: `org_id = ids.of_org AND list_id = ANY(${distinctOfOrg('campaign_list_members', 'list_id')}) AND recipient_id = ANY(ids.recipient_ids_of)`,
  campaign_list_removals: `org_id = ids.of_org AND recipient_id = ANY(ids.recipient_ids_of)`,
  update_unmapped: `org_id = ids.of_org AND recipient_id = ANY(ids.recipient_ids_of)`,
  // The XC ids by the primary key (org, data source, XC id), the org's data sources skipped through.
  identity_links: `org_id = ids.of_org AND ((data_source_id = ANY(${distinctOfOrg('identity_links', 'data_source_id')}) AND xc_id = ANY(ids.xc_ids_of)) OR recipient_id = ANY(ids.recipient_ids_of))`,
});

export interface AudienceRemoval {
  sharedAudienceId: string;
  idType: 'visitor' | 'declared';
  version: number;
  removed: string[];
}

/** What audience-export holds for a privacy request's identifiers, and its removal. */
@Injectable()
export class PrivacyRepository {
  /** access: every row held for the identifiers, per table, as JSON. */
  rowsHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, Array<Record<string, unknown>>>> {
    return HELD.rows(tx, orgId, identifiers);
  }

  countHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    return HELD.counts(tx, orgId, identifiers);
  }

  /**
   * Takes the identifiers out of every shared audience that exported them, each as a new version
   * (as an update's removals are), the audience locked against a concurrent update's final step.
   * The removals are not kept in removed_members: that history would hold them.
   */
  async removeExported(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<AudienceRemoval[]> {
    const params = privacyIdsParams(orgId, identifiers);
    const audiences = await HELD.select<{ audience_no: number; shared_audience_id: string; version: number; id_type: 'visitor' | 'declared' }>(
      tx,
      `SELECT a.audience_no, a.shared_audience_id, a.version, d.id_type FROM shared_audiences a JOIN data_sources d USING (org_id, data_source_id)
        WHERE a.org_id = $1 AND a.audience_no IN (SELECT audience_no FROM exported_members WHERE ${HELD.condition('exported_members')})
        ORDER BY a.audience_no FOR UPDATE OF a`,
      orgId,
      identifiers,
    );
    const removals: AudienceRemoval[] = [];
    for (const audience of audiences) {
      const removed: Array<{ xc_id: string }> = await queryRows(tx, `DELETE FROM exported_members WHERE audience_no = $1 AND xc_id = ANY($2::text[]) RETURNING xc_id`, [
        audience.audience_no,
        params[1],
      ]);
      const version = audience.version + 1;
      await execute(tx, `UPDATE shared_audiences SET version = $2, member_count = member_count - $3 WHERE audience_no = $1`, [audience.audience_no, version, removed.length]);
      removals.push({ sharedAudienceId: audience.shared_audience_id, idType: audience.id_type, version, removed: removed.map((row) => row.xc_id).sort() });
    }
    return removals;
  }

  /** Deletes what is left (list copies, removal history, unmapped recipients, replica links), per table. */
  eraseHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    return HELD.erase(tx, orgId, identifiers);
  }
}
