import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PrivacyIdentifiers } from '@audience-hub/contracts';
import { queryRows } from '@audience-hub/persistence';

const ORG_AUDIENCES = `SELECT audience_no FROM shared_audiences WHERE org_id = ids.of_org`;

/** Per table: the condition on a row for the request's `ids` (WITH_IDS): its org, XC ids and recipient ids. */
const HELD: Record<string, string> = {
  exported_members: `audience_no IN (${ORG_AUDIENCES}) AND xc_id = ANY(ids.xc_ids_of)`,
  removed_members: `audience_no IN (${ORG_AUDIENCES}) AND xc_id = ANY(ids.xc_ids_of)`,
  campaign_list_members: `org_id = ids.of_org AND recipient_id = ANY(ids.recipient_ids_of)`,
  campaign_list_removals: `org_id = ids.of_org AND recipient_id = ANY(ids.recipient_ids_of)`,
  update_unmapped: `org_id = ids.of_org AND recipient_id = ANY(ids.recipient_ids_of)`,
  identity_links: `org_id = ids.of_org AND (xc_id = ANY(ids.xc_ids_of) OR recipient_id = ANY(ids.recipient_ids_of))`,
};

/** The request's ids as one row every statement joins, whichever of them its condition uses. */
const WITH_IDS = `WITH ids AS (SELECT $1::text AS of_org, $2::text[] AS xc_ids_of, $3::text[] AS recipient_ids_of)`;

const paramsOf = (orgId: string, identifiers: PrivacyIdentifiers) => [orgId, [...identifiers.ecids, ...identifiers.declaredIds.map((d) => d.declaredId)], identifiers.recipientIds];

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

  /**
   * Takes the identifiers out of every shared audience that exported them, each as a new version
   * (as an update's removals are), the audience locked against a concurrent update's final step.
   * The removals are not kept in removed_members: that history would hold them.
   */
  async removeExported(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<AudienceRemoval[]> {
    const params = paramsOf(orgId, identifiers);
    const audiences: Array<{ audience_no: number; shared_audience_id: string; version: number; id_type: 'visitor' | 'declared' }> = await tx.query(
      `SELECT a.audience_no, a.shared_audience_id, a.version, d.id_type FROM shared_audiences a JOIN data_sources d USING (org_id, data_source_id)
        WHERE a.org_id = $1 AND a.audience_no IN (${WITH_IDS} SELECT audience_no FROM exported_members, ids WHERE ${HELD.exported_members})
        ORDER BY a.audience_no FOR UPDATE OF a`,
      params,
    );
    const removals: AudienceRemoval[] = [];
    for (const audience of audiences) {
      const removed: Array<{ xc_id: string }> = await queryRows(tx, `DELETE FROM exported_members WHERE audience_no = $1 AND xc_id = ANY($2::text[]) RETURNING xc_id`, [
        audience.audience_no,
        params[1],
      ]);
      const version = audience.version + 1;
      await tx.query(`UPDATE shared_audiences SET version = $2, member_count = member_count - $3 WHERE audience_no = $1`, [audience.audience_no, version, removed.length]);
      removals.push({ sharedAudienceId: audience.shared_audience_id, idType: audience.id_type, version, removed: removed.map((row) => row.xc_id).sort() });
    }
    return removals;
  }

  /** Deletes what is left (list copies, removal history, unmapped recipients, replica links), per table. */
  async eraseHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    const params = paramsOf(orgId, identifiers);
    const counts: Record<string, number> = {};
    for (const [table, held] of Object.entries(HELD)) counts[table] = (await queryRows(tx, `${WITH_IDS} DELETE FROM ${table} USING ids WHERE ${held} RETURNING 1`, params)).length;
    return counts;
  }
}
