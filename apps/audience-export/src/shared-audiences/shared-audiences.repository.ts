import { Injectable } from '@nestjs/common';
import type { DataSource as Database, EntityManager } from 'typeorm';
import { query, queryOne, queryRows, type Db } from '@audience-hub/persistence';
import { toPage, type Page, type PageRequest } from '@audience-hub/platform';
import type { SharedAudienceView } from './shared-audiences.schema';

export interface SharedAudienceRow extends SharedAudienceView {
  orgId: string;
}

/** How far a shared audience has taken in a list's changes (see the list-change-log migration). */
export interface ListSync {
  listId: string;
  seq: number;
}

/** What the last `mirror` update took in: the list and seq up to which leavers were removed, and the identity clock it resolved against. */
export interface MirrorSync extends ListSync {
  linksSeq: number | null;
}

/** What the last completed update resolved: the list and seq up to which it read, the update (its unmapped recipients are resolved again), and the identity clock. */
export interface ResolvedSync extends ListSync {
  updateId: string;
  linksSeq: number | null;
}

export interface AudienceSync {
  resolved?: ResolvedSync;
  /** The list, seq and identity clock of the last `mirror` update. */
  mirrored?: MirrorSync;
}

/** SQL of shared audiences; every statement is scoped by org. */
@Injectable()
export class SharedAudiencesRepository {
  /** Inserts unless the org already has this segment name; returns undefined then. */
  async insert(tx: EntityManager, orgId: string, id: string, segmentName: string, dataSourceId: string): Promise<SharedAudienceRow | undefined> {
    const row = await queryOne<SharedAudienceTableRow>(
      tx,
      `INSERT INTO shared_audiences (org_id, shared_audience_id, segment_name, data_source_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id, segment_name) DO NOTHING RETURNING *`,
      [orgId, id, segmentName, dataSourceId],
    );
    return row ? toRow(row) : undefined;
  }

  async find(db: Db, orgId: string, id: string): Promise<SharedAudienceRow | undefined> {
    const row = await queryOne<SharedAudienceTableRow>(db, `SELECT * FROM shared_audiences WHERE org_id = $1 AND shared_audience_id = $2`, [orgId, id]);
    return row ? toRow(row) : undefined;
  }

  async findByName(tx: EntityManager, orgId: string, segmentName: string): Promise<SharedAudienceRow | undefined> {
    const row = await queryOne<SharedAudienceTableRow>(tx, `SELECT * FROM shared_audiences WHERE org_id = $1 AND segment_name = $2`, [orgId, segmentName]);
    return row ? toRow(row) : undefined;
  }

  /** Locks the shared audience: updates of one shared audience serialize on this row. */
  async lock(tx: EntityManager, orgId: string, id: string): Promise<SharedAudienceRow | undefined> {
    const row = await queryOne<SharedAudienceTableRow>(tx, `SELECT * FROM shared_audiences WHERE org_id = $1 AND shared_audience_id = $2 FOR UPDATE`, [orgId, id]);
    return row ? toRow(row) : undefined;
  }

  /** Records a new version that added and removed ids; returns how many ids XC holds now. */
  async setVersion(tx: EntityManager, orgId: string, id: string, version: number, added: number, removed: number): Promise<number> {
    // GREATEST: versions only grow, whatever happens.
    await query(
      tx,
      `UPDATE shared_audiences SET version = GREATEST(version, $3), member_count = member_count + $4 - $5
        WHERE org_id = $1 AND shared_audience_id = $2`,
      [orgId, id, version, added, removed],
    );
    return this.memberCount(tx, orgId, id);
  }

  async syncOf(tx: EntityManager, orgId: string, id: string): Promise<AudienceSync> {
    const row = await queryOne<SyncRow>(
      tx,
      `SELECT resolved_list_id, resolved_list_seq, resolved_update_id, resolved_links_seq, mirrored_list_id, mirrored_list_seq, mirrored_links_seq
         FROM shared_audiences WHERE org_id = $1 AND shared_audience_id = $2`,
      [orgId, id],
    );
    const clock = (value: string | null) => (value == null ? null : Number(value));
    return {
      ...(row?.resolved_list_id != null
        ? { resolved: { listId: row.resolved_list_id, seq: Number(row.resolved_list_seq), updateId: row.resolved_update_id!, linksSeq: clock(row.resolved_links_seq) } }
        : {}),
      ...(row?.mirrored_list_id != null ? { mirrored: { listId: row.mirrored_list_id, seq: Number(row.mirrored_list_seq), linksSeq: clock(row.mirrored_links_seq) } } : {}),
    };
  }

  /** Records what a completed update took in; `mirrored` only for `mirror` updates. */
  async recordSync(tx: EntityManager, orgId: string, id: string, resolved: ResolvedSync, mirrored?: MirrorSync): Promise<void> {
    await query(
      tx,
      `UPDATE shared_audiences SET resolved_list_id = $3, resolved_list_seq = $4, resolved_update_id = $5, resolved_links_seq = $9,
              mirrored_list_id = COALESCE($6, mirrored_list_id),
              mirrored_list_seq = CASE WHEN $6::text IS NULL THEN mirrored_list_seq ELSE $7 END,
              mirrored_links_seq = CASE WHEN $6::text IS NULL THEN mirrored_links_seq ELSE $8 END
        WHERE org_id = $1 AND shared_audience_id = $2`,
      [orgId, id, resolved.listId, resolved.seq, resolved.updateId, mirrored?.listId ?? null, mirrored?.seq ?? null, mirrored?.linksSeq ?? null, resolved.linksSeq],
    );
  }

  /** How many ids XC holds for the shared audience (kept by the runs, never counted). */
  async memberCount(tx: EntityManager, orgId: string, id: string): Promise<number> {
    const row = await queryOne<{ member_count: string }>(tx, `SELECT member_count FROM shared_audiences WHERE org_id = $1 AND shared_audience_id = $2`, [orgId, id]);
    return Number(row?.member_count ?? 0);
  }

  async page(db: Database, orgId: string, request: PageRequest): Promise<Page<SharedAudienceView>> {
    const rows = await queryRows<SharedAudienceTableRow>(
      db,
      `SELECT * FROM shared_audiences WHERE org_id = $1 AND ($2::text IS NULL OR shared_audience_id > $2)
        ORDER BY shared_audience_id LIMIT $3`,
      [orgId, request.after ?? null, request.limit + 1],
    );
    return toPage(
      rows.map((row) => view(toRow(row))),
      request,
      (audience) => audience.id,
    );
  }
}

export function view(row: SharedAudienceRow): SharedAudienceView {
  const { orgId: _orgId, ...rest } = row;
  return rest;
}

/** The columns of shared_audiences toRow reads (`SELECT *` has more); segment_id is a bigint, a string from pg. */
interface SharedAudienceTableRow {
  org_id: string;
  shared_audience_id: string;
  segment_name: string;
  segment_id: string;
  data_source_id: string;
  version: number;
  created_at: Date;
}

/** What a shared audience took in; the seqs and clocks are bigints, strings from pg. */
interface SyncRow {
  resolved_list_id: string | null;
  resolved_list_seq: string | null;
  resolved_update_id: string | null;
  resolved_links_seq: string | null;
  mirrored_list_id: string | null;
  mirrored_list_seq: string | null;
  mirrored_links_seq: string | null;
}

function toRow(row: SharedAudienceTableRow): SharedAudienceRow {
  return {
    orgId: row.org_id,
    id: row.shared_audience_id,
    segmentName: row.segment_name,
    segmentId: Number(row.segment_id),
    dataSourceId: row.data_source_id,
    version: row.version,
    createdAt: row.created_at.toISOString(),
  };
}
