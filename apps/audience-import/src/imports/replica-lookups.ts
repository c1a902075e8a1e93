import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { sidePool } from '@audience-hub/persistence';

/**
 * Looks ids up in the replica of the identity graph on connections of its own, so that a chunk's
 * next ids are looked up while its transaction writes the ones before (RunsRepository.resolveChunk):
 * two backends, two cores. Called only while the caller's transaction holds the org's graph lock
 * (shared): a link change commits only under the exclusive lock, so no link commits between these
 * reads and the caller's commit, and they read what the transaction itself would.
 */
@Injectable()
export class ReplicaLookups implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(dataSource: DataSource) {
    this.pool = sidePool(dataSource, 'replica lookups', LOOKUP_CONNECTIONS);
  }

  /**
   * The recipient of each of `count` ids (':'-joined, as RunsRepository passes them), in their
   * order, as the text of a Postgres text[] (NULL where the id has none): it goes back to Postgres
   * as it came, never parsed here.
   */
  async recipientsOf(job: { orgId: string; dataSourceId: string }, ids: string, count: number): Promise<string> {
    const { rows } = await this.pool.query<{ recipients: string | null }>(
      `SELECT array_agg(l.recipient_id ORDER BY f.n)::text AS recipients
         FROM string_to_table($1, ':') WITH ORDINALITY AS f(xc_id, n)
         LEFT JOIN identity_links l ON l.org_id = $3 AND l.data_source_id = $4 AND l.xc_id = f.xc_id
        WHERE f.n <= $2`,
      [ids, count, job.orgId, job.dataSourceId],
    );
    return rows[0].recipients ?? '{}';
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}

/** One chunk's next piece is looked up while its transaction writes the last: two suffice per instance. */
const LOOKUP_CONNECTIONS = 2;
