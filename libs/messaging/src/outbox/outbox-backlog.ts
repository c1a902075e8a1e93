import type { DataSource } from 'typeorm';
import { queryRows } from '@audience-hub/persistence';

export interface OutboxBacklog {
  /** Events committed and not yet relayed (a bundle's each counted). */
  unsent: number;
  /** Age of the oldest of them in seconds, 0 when none waits. */
  oldestAgeSeconds: number;
}

/** How far the relay is behind, from the partial index of unsent rows (cheap while the relay keeps up). */
export async function readOutboxBacklog(dataSource: DataSource): Promise<OutboxBacklog> {
  const [row] = await queryRows<{ unsent: string; age: number | null }>(
    dataSource,
    `SELECT (SELECT coalesce(sum(coalesce(records, 1)), 0) FROM outbox_events WHERE sent_at IS NULL) AS unsent,
            (SELECT extract(epoch FROM now() - created_at)::float8 FROM outbox_events WHERE sent_at IS NULL ORDER BY seq LIMIT 1) AS age`,
  );
  return { unsent: Number(row.unsent), oldestAgeSeconds: Math.max(0, row.age ?? 0) };
}
