import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { IdType } from '@audience-hub/contracts';
import { query, queryOne, ServerCursor } from '@audience-hub/persistence';
import { purgeStep } from './purge-step';

/** An audience's last received full snapshot, kept whole until a newer one is. */
export interface KeptSnapshot {
  snapshotId: string;
  orgId: string;
  audienceId: string;
  snapshotKey: string;
  idType: IdType;
  dataSourceId: string | null;
  /** Ids kept, as received: an id sent in two parts counts twice. */
  ids: number;
  parts: number;
  receivedAt: Date;
}

/** One chunk of a full snapshot to keep: its ids as received. */
export interface KeptChunk {
  audienceId: string;
  snapshotKey: string;
  idType: IdType;
  dataSourceId?: string;
  part: number;
  lastPart: boolean;
  added: readonly string[];
}

/**
 * SQL of received_snapshots: the ids of each audience's full snapshots as they arrive, the last
 * complete one kept (one per audience), the ones it replaced purged in short steps.
 */
@Injectable()
export class ReceivedSnapshotsRepository {
  /**
   * Keeps a chunk's ids once per (snapshot, part). The chunk completing its snapshot makes it the
   * audience's kept one and supersedes every snapshot of the audience started before it (the one
   * kept so far, and any still arriving, as a complete full snapshot makes earlier runs moot).
   * Chunks of a superseded snapshot are not kept.
   */
  async keepChunk(tx: EntityManager, orgId: string, chunk: KeptChunk): Promise<void> {
    await query(
      tx,
      `INSERT INTO received_snapshots (org_id, audience_id, snapshot_key, id_type, data_source_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org_id, audience_id, snapshot_key) DO NOTHING`,
      [orgId, chunk.audienceId, chunk.snapshotKey, chunk.idType, chunk.dataSourceId ?? null],
    );
    const snapshot = await queryOne<{ snapshot_id: string; state: string }>(
      tx,
      `SELECT snapshot_id, state FROM received_snapshots WHERE org_id = $1 AND audience_id = $2 AND snapshot_key = $3 FOR UPDATE`,
      [orgId, chunk.audienceId, chunk.snapshotKey],
    );
    if (!snapshot || snapshot.state !== 'receiving') return;
    // The part counts once: a resent one is not inserted again, and nothing is counted (no row).
    const counted = await queryOne<{ last_part: number | null; parts_received: number }>(
      tx,
      `WITH new_part AS (INSERT INTO received_snapshot_chunks (snapshot_id, part, ids) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING snapshot_id)
       UPDATE received_snapshots s SET parts_received = parts_received + 1, ids = ids + $4, last_part = COALESCE($5, last_part)
         FROM new_part WHERE s.snapshot_id = new_part.snapshot_id RETURNING s.last_part, s.parts_received`,
      [snapshot.snapshot_id, chunk.part, chunk.added.join(ID_SEPARATOR), chunk.added.length, chunk.lastPart ? chunk.part : null],
    );
    if (counted?.last_part == null || counted.parts_received !== counted.last_part + 1) return;
    await query(
      tx,
      `UPDATE received_snapshots SET state = 'superseded'
        WHERE org_id = $1 AND audience_id = $2 AND snapshot_id < $3 AND state IN ('receiving', 'kept')`,
      [orgId, chunk.audienceId, snapshot.snapshot_id],
    );
    await query(tx, `UPDATE received_snapshots SET state = 'kept', completed_at = now() WHERE snapshot_id = $1`, [snapshot.snapshot_id]);
  }

  /** The audience's kept snapshot, if one was received complete. */
  async kept(tx: EntityManager, orgId: string, audienceId: string): Promise<KeptSnapshot | undefined> {
    const row = await queryOne<KeptSnapshotRow>(
      tx,
      `SELECT snapshot_id, org_id, audience_id, snapshot_key, id_type, data_source_id, ids, parts_received, completed_at
         FROM received_snapshots WHERE org_id = $1 AND audience_id = $2 AND state = 'kept'`,
      [orgId, audienceId],
    );
    return row ? toKept(row) : undefined;
  }

  /** The kept ids a part at a time, in part order (each part at most MAX_CHUNK_IDS ids), in the caller's transaction. */
  async *partsOf(tx: EntityManager, snapshotId: string): AsyncGenerator<string[]> {
    const cursor = await ServerCursor.open<{ ids: string }>(tx, `SELECT ids FROM received_snapshot_chunks WHERE snapshot_id = $1 ORDER BY part`, [snapshotId]);
    try {
      for (let rows = await cursor.fetch(1); rows.length > 0; rows = await cursor.fetch(1)) {
        if (rows[0].ids !== '') yield rows[0].ids.split(ID_SEPARATOR);
      }
    } finally {
      await cursor.close();
    }
  }

  /**
   * Superseded snapshots dropped out of the hot path, like runs' staging: at most PURGE_BATCH parts
   * per call (short transactions), the snapshot's row last. The kept ones stay. False when nothing
   * is left to purge.
   */
  purgeSomeSuperseded(tx: EntityManager): Promise<boolean> {
    return purgeStep(tx, {
      pick: `SELECT snapshot_id AS id FROM received_snapshots WHERE state = 'superseded' ORDER BY snapshot_id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      slices: () => [
        `DELETE FROM received_snapshot_chunks WHERE (snapshot_id, part) IN (SELECT snapshot_id, part FROM received_snapshot_chunks WHERE snapshot_id = $1 ORDER BY part LIMIT ${PURGE_BATCH})`,
      ],
      finish: `DELETE FROM received_snapshots WHERE snapshot_id = $1`,
    });
  }
}

/** Parts of at most 10,000 ids: 20 are up to 200,000 ids. */
const PURGE_BATCH = 20;
/** Between a part's ids in received_snapshot_chunks.ids: no id of either type contains ':'. */
export const ID_SEPARATOR = ':';

interface KeptSnapshotRow {
  snapshot_id: string;
  org_id: string;
  audience_id: string;
  snapshot_key: string;
  id_type: IdType;
  data_source_id: string | null;
  ids: string;
  parts_received: number;
  completed_at: Date;
}

function toKept(row: KeptSnapshotRow): KeptSnapshot {
  return {
    snapshotId: String(row.snapshot_id),
    orgId: row.org_id,
    audienceId: row.audience_id,
    snapshotKey: row.snapshot_key,
    idType: row.id_type,
    dataSourceId: row.data_source_id,
    ids: Number(row.ids),
    parts: row.parts_received,
    receivedAt: row.completed_at,
  };
}
