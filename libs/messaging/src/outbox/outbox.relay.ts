import { Client } from 'pg';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { isDatabaseUnavailable } from '@audience-hub/persistence';
import { outboxChannel } from './outbox.writer';
import { sendToTopics } from '../kafka-client';
import { typeHeader } from '../event-type-header';

export interface OutboxRelayOptions {
  dataSource: DataSource;
  producer: Producer;
  /** Fallback poll when no NOTIFY arrives (ms). */
  pollIntervalMs?: number;
  /** Upper bound of one Kafka batch, in bytes of event JSON. */
  maxBatchBytes?: number;
  /** Upper bound of one Kafka batch, in rows (default 5,000): small records go in big batches. */
  maxBatchRows?: number;
  /** Sent rows are kept this long for audit, then purged (ms). */
  retentionMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
  onPublished?: (count: number) => void;
}

interface OutboxRow {
  seq: string;
  topic: string;
  event_type: string | null;
  message_key: string;
  /** Null: a tombstone. */
  message_value: string | null;
}

/**
 * Publishes committed outbox rows to Kafka in seq order and marks them sent.
 * One relay per schema publishes at a time (a session advisory lock elects it), so the order of
 * events with the same key is kept even with several instances running. A crash between
 * publish and mark re-publishes: consumers' inboxes make that harmless.
 */
export class OutboxRelay {
  private readonly schema: string;
  private readonly pollIntervalMs: number;
  private readonly maxBatchBytes: number;
  private readonly maxBatchRows: number;
  private readonly retentionMs: number;
  private lastPurge = 0;
  private listener?: Client;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(private readonly options: OutboxRelayOptions) {
    this.schema = (options.dataSource.options as { schema?: string }).schema ?? 'public';
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 12 * 1024 * 1024;
    this.maxBatchRows = options.maxBatchRows ?? 5_000;
    this.retentionMs = options.retentionMs ?? 60 * 60 * 1000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after publishing whatever is committed now (bounded by `timeoutMs`). */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    const deadline = Date.now() + timeoutMs;
    const drain = async () => {
      await this.loop;
      while (this.listener && Date.now() < deadline && (await this.publishOnce()) > 0) {
        /* drain what was committed before shutdown */
      }
    };
    try {
      await Promise.race([drain(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), timeoutMs).unref())]);
    } catch (error) {
      this.options.log?.('warn', 'outbox drain on shutdown stopped early; the rest is published at next start', { error: String(error) });
    }
    await this.closeListener();
  }

  /** Publishes one batch; returns how many events it sent. Exposed for tests and draining. */
  async publishOnce(): Promise<number> {
    const rows = await this.fetch(undefined);
    if (rows.length === 0) return 0;
    await this.send(rows);
    await this.markSent(rows);
    return rows.length;
  }

  /**
   * The oldest unsent rows, after seq `after` if given, up to the batch limits. Within one drain
   * the next batch starts where the last ended instead of walking the index over every row sent
   * since the last vacuum. A row that commits late with a lower seq is taken by the next drain,
   * which starts from the beginning: rows of one key are written by transactions that serialize
   * on that key's state, so a late row never overtakes a later row of its own key.
   */
  private async fetch(after: string | undefined): Promise<OutboxRow[]> {
    // The batch's end is found over (seq, size) pairs only, so that the values are read once. The
    // unsent rows are walked in index order whatever the planner's statistics say: a bitmap scan
    // would read and sort the whole backlog for each batch.
    return this.options.dataSource.transaction(async (tx) => {
      await tx.query(`SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off`);
      return tx.query(
      `WITH head AS (
         SELECT seq, coalesce(octet_length(message_value), 0) AS bytes FROM outbox_events
         WHERE sent_at IS NULL AND seq > $3 ORDER BY seq LIMIT $2),
       batch_end AS (
         SELECT max(seq) AS seq FROM (
           SELECT seq, sum(bytes) OVER (ORDER BY seq) AS running_bytes, row_number() OVER (ORDER BY seq) AS n FROM head) sized
         WHERE n = 1 OR running_bytes <= $1)
       SELECT o.seq, o.topic, o.event_type, o.message_key, o.message_value FROM outbox_events o, batch_end
       WHERE o.sent_at IS NULL AND o.seq > $3 AND o.seq <= batch_end.seq
       ORDER BY o.seq`,
      [this.maxBatchBytes, this.maxBatchRows, after ?? '0'],
      );
    });
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    await sendToTopics(
      this.options.producer,
      rows.map((row) => ({
        topic: row.topic,
        message: { key: row.message_key, value: row.message_value, headers: row.event_type ? typeHeader(row.event_type) : undefined },
      })),
    );
    this.options.onPublished?.(rows.length);
  }

  private async markSent(rows: OutboxRow[]): Promise<void> {
    await this.options.dataSource.query(`UPDATE outbox_events SET sent_at = now() WHERE seq = ANY($1::bigint[])`, [rows.map((row) => row.seq)]);
  }

  /**
   * While leader: fetch, send, and mark sent, with one batch's marking overlapping the next
   * batch's fetch and send (sends stay one at a time, in seq order). A drain follows the seqs
   * from batch to batch; a new one starts from the beginning once the last found nothing more,
   * and at least every 5 s, so a late commit waits at most that long under sustained load.
   */
  private async run(): Promise<void> {
    let after: string | undefined;
    let drainStarted = Date.now();
    let marking: Promise<unknown> = Promise.resolve();
    while (this.running) {
      try {
        if (!(await this.ensureLeadership())) {
          await this.idle(this.pollIntervalMs * 3);
          continue;
        }
        await this.purgeIfDue();
        if (Date.now() - drainStarted > 5_000) after = undefined;
        if (after === undefined) drainStarted = Date.now();
        const rows = await this.fetch(after);
        if (rows.length > 0) {
          await this.send(rows);
          await marking;
          // A failed mark only means these rows are sent again by a later drain: consumers' inboxes absorb it.
          marking = this.markSent(rows).catch((error) => this.options.log?.('warn', 'outbox rows sent but not marked; they will be sent again', { error: String(error) }));
          after = rows[rows.length - 1].seq;
          continue;
        }
        await marking;
        if (after !== undefined) after = undefined;
        else await this.idle(this.pollIntervalMs);
      } catch (error) {
        after = undefined;
        const level = isDatabaseUnavailable(error) ? 'warn' : 'error';
        this.options.log?.(level, 'outbox relay failed; retrying', { error: String(error) });
        await this.closeListener();
        await this.idle(this.pollIntervalMs);
      }
    }
    await marking;
  }

  /** Holds a session advisory lock on a dedicated connection that also LISTENs for commits. */
  private async ensureLeadership(): Promise<boolean> {
    if (this.listener) return true;
    const options = this.options.dataSource.options as { url?: string };
    const client = new Client({ connectionString: options.url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => void this.closeListener());
    await client.connect();
    const [{ locked }] = (
      await client.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [`${this.schema}.outbox-relay`])
    ).rows;
    if (!locked) {
      await client.end().catch(() => undefined);
      return false;
    }
    client.on('notification', () => this.wake?.());
    await client.query(`LISTEN ${outboxChannel(this.schema)}`);

    this.listener = client;
    return true;
  }

  private async closeListener(): Promise<void> {
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
  }

  private async purgeIfDue(): Promise<void> {
    if (Date.now() - this.lastPurge < 60_000) return;
    this.lastPurge = Date.now();
    await this.options.dataSource.query(
      `DELETE FROM outbox_events WHERE sent_at IS NOT NULL AND sent_at < now() - ($1::int * interval '1 millisecond')`,
      [this.retentionMs],
    );
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
