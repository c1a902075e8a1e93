import type { Message, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { execute, isDatabaseUnavailable, listenerConnection, PgListener, query, queryRows, schemaOf } from '@audience-hub/persistence';
import { isTracingEnabled, withTraceparent } from '@audience-hub/observability';
import { outboxChannel } from './outbox.writer';
import { sendToTopics } from '../kafka-client';
import { typeHeader } from '../event-type-header';
import { topicOfBundle, unbundle } from './outbox-bundle';

export interface OutboxRelayOptions {
  dataSource: DataSource;
  producer: Producer;
  /** Fallback poll when no NOTIFY arrives (ms). */
  pollIntervalMs?: number;
  /** Upper bound of one Kafka batch of small events, in bytes of event JSON. */
  maxBatchBytes?: number;
  /** Upper bound of the large events (above 64 KiB) sent in one round, after the small ones. Default 2 MiB. */
  maxLargeBytes?: number;
  /** Rows looked at per round (their sizes only; default 5,000): small records go in big sends. */
  maxBatchRows?: number;
  /** Sent rows (unless `deleteSent`) are kept this long for audit (when and what went where), then purged (ms). */
  retentionMs?: number;
  /**
   * A sent row is deleted at once instead of kept for the retention: for services holding data
   * subjects' identifiers, which must not stay in the outbox after their send (the content is on
   * Kafka). Deleting also costs Postgres less than marking sent, which writes a new version of the
   * row and entries in two indexes: a fifth of id-reconciliation's Postgres CPU per ingested event.
   * Off, sent rows are kept for the retention with their content (ims: audit events only).
   */
  deleteSent?: boolean;
  log?: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
  onPublished?: (count: number) => void;
}

/** Events above this size (a list's member chunks) are sent apart from, and after, the small ones. */
const LARGE_EVENT_BYTES = 64 * 1024;

interface UnsentRow {
  seq: string;
  message_key: string;
  bytes: string | number;
  /** A bundle's event count (outbox-bundle.ts); null for one event. */
  records: number | null;
}

interface OutboxRow {
  seq: string;
  topic: string;
  event_type: string | null;
  message_key: string;
  /** Null: a tombstone. */
  message_value: string | null;
  /** The span that wrote the row; null with tracing off. */
  traceparent: string | null;
  records: number | null;
}

/**
 * Publishes committed outbox rows to Kafka and marks them sent, each key's in seq order.
 * One relay per schema publishes at a time (a session advisory lock elects it), so the order of
 * events with the same key is kept even with several instances running. A crash between
 * publish and mark re-publishes: consumers' inboxes make that harmless.
 */
export class OutboxRelay {
  private readonly schema: string;
  private readonly pollIntervalMs: number;
  private readonly maxBatchBytes: number;
  private readonly maxLargeBytes: number;
  private readonly maxBatchRows: number;
  private readonly retentionMs: number;
  /** Holds the relay's session advisory lock and LISTENs for commits: listening means leading. */
  private listener?: PgListener;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /**
   * A commit was notified since the current round began: the round may have read the outbox
   * before that commit, so the relay goes round again instead of idling until the next poll.
   */
  private notified = false;
  private lastPurge = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.schema = schemaOf(options.dataSource);
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 12 * 1024 * 1024;
    this.maxLargeBytes = options.maxLargeBytes ?? 2 * 1024 * 1024;
    this.maxBatchRows = options.maxBatchRows ?? 5_000;
    this.retentionMs = options.retentionMs ?? 60 * 60 * 1000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.listener = this.leadershipListener();
    this.listener.start();
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
      while (this.isLeader && Date.now() < deadline && (await this.publishOnce()) > 0) {
        /* drain what was committed before shutdown */
      }
    };
    try {
      await Promise.race([drain(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), timeoutMs).unref())]);
    } catch (error) {
      this.options.log?.('warn', 'outbox drain on shutdown stopped early; the rest is published at next start', { error: String(error) });
    }
    await this.listener?.close();
  }

  /**
   * Publishes one round; returns how many events it sent. Exposed for tests and draining.
   * A round looks at the oldest `maxBatchRows` unsent rows. Small events go first, in one send, ahead of the large ones (a snapshot's
   * member chunks) of other keys, so a one-member change is not published behind megabytes of
   * someone else's; then at most `maxLargeBytes` of large events, in commit order. A key's events
   * keep their order: a small event waits while its key has an earlier large event unsent. A
   * bundle holds many keys: it goes in the small send only behind nothing held back, and while it
   * waits, so does everything after it. Returns the events sent, a bundle's each counted.
   */
  async publishOnce(): Promise<number> {
    const unsent = await this.unsentHead();
    if (unsent.length === 0) return 0;
    const small: string[] = [];
    const large: string[] = [];
    // Keys with an event held back (or sent in the large send) this round: their later events wait.
    const blocked = new Set<string>();
    let smallBytes = 0;
    let largeBytes = 0;
    let largeOpen = true;
    let bundled = 0;
    for (const row of unsent) {
      const bytes = Number(row.bytes);
      if (row.records !== null) {
        // At most a round's rows in events too: a few bundles are as many events as a round of single rows.
        if (blocked.size > 0 || (small.length > 0 && (smallBytes + bytes > this.maxBatchBytes || bundled + row.records > this.maxBatchRows))) break;
        small.push(row.seq);
        smallBytes += bytes;
        bundled += row.records;
      } else if (!blocked.has(row.message_key)) {
        if (bytes > LARGE_EVENT_BYTES) {
          if (largeOpen && (large.length === 0 || largeBytes + bytes <= this.maxLargeBytes)) {
            large.push(row.seq);
            largeBytes += bytes;
          } else {
            largeOpen = false;
          }
          blocked.add(row.message_key);
        } else if (small.length === 0 || smallBytes + bytes <= this.maxBatchBytes) {
          small.push(row.seq);
          smallBytes += bytes;
        } else {
          blocked.add(row.message_key);
        }
      }
    }
    let sent = 0;
    for (const seqs of [small, large]) if (seqs.length > 0) sent += await this.send(seqs);
    return sent;
  }

  /**
   * The (seq, key, size) of the oldest unsent rows, walked in index order whatever the planner's
   * statistics say: a bitmap scan would read and sort the whole backlog each round.
   */
  private unsentHead(): Promise<UnsentRow[]> {
    return this.options.dataSource.transaction(async (tx) => {
      await query(tx, `SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off`);
      return queryRows<UnsentRow>(
        tx,
        `SELECT seq, message_key, coalesce(octet_length(message_value), 0) AS bytes, records FROM outbox_events
         WHERE sent_at IS NULL ORDER BY seq LIMIT $1`,
        [this.maxBatchRows],
      );
    });
  }

  /** Sends these outbox rows (in seq order) and marks them sent. */
  private async send(seqs: string[]): Promise<number> {
    const rows = await queryRows<OutboxRow>(
      this.options.dataSource,
      `SELECT seq, topic, event_type, message_key, message_value, traceparent, records FROM outbox_events WHERE seq = ANY($1::bigint[]) ORDER BY seq`,
      [seqs],
    );
    if (isTracingEnabled()) {
      // Each run of rows written by one span is sent in that span's trace (kafkajs's send spans
      // are children of the active context, and put their own traceparent in the headers).
      for (const run of runsOfTraceparent(rows)) await withTraceparent(run[0].traceparent ?? undefined, () => this.publish(run));
    } else {
      await this.publish(rows);
    }
    if (this.options.deleteSent) {
      await execute(this.options.dataSource, `DELETE FROM outbox_events WHERE seq = ANY($1::bigint[])`, [seqs]);
    } else {
      await this.options.dataSource.transaction(async (tx) => {
        await execute(tx, `UPDATE outbox_events SET sent_at = now() WHERE seq = ANY($1::bigint[]) AND NOT erase_once_sent`, [seqs]);
        // Rows a privacy request erased while they waited (eraseFromOutbox) are kept no longer than their send.
        await execute(tx, `DELETE FROM outbox_events WHERE seq = ANY($1::bigint[]) AND erase_once_sent`, [seqs]);
      });
    }
    const events = rows.reduce((sum, row) => sum + (row.records ?? 1), 0);
    this.options.onPublished?.(events);
    return events;
  }

  private publish(rows: OutboxRow[]): Promise<void> {
    const messages: Array<{ topic: string; message: Message }> = [];
    for (const row of rows) {
      if (row.records === null) {
        messages.push({ topic: row.topic, message: { key: row.message_key, value: row.message_value, headers: row.event_type ? typeHeader(row.event_type) : undefined } });
        continue;
      }
      const records = unbundle(row.message_value ?? '');
      if (records.length !== row.records) throw new Error(`outbox bundle ${row.seq} holds ${records.length} events, not ${row.records}`);
      const topic = topicOfBundle(row.topic);
      for (const { type, key, value } of records) messages.push({ topic, message: { key, value, headers: typeHeader(type) } });
    }
    return sendToTopics(this.options.producer, messages);
  }

  /**
   * While leader: rounds, each from the oldest unsent row. (Starting where the last round ended
   * would be cheaper, but a row committed late with a lower seq would then go out after a later
   * row of its key committed meanwhile: a key's writers serialize on its state, but the relay
   * would have passed the late row's seq while it was invisible.)
   */
  private async run(): Promise<void> {
    while (this.running) {
      this.notified = false;
      try {
        if (!this.isLeader) {
          await this.idle(this.pollIntervalMs * 3);
          continue;
        }
        await this.purgeIfDue();
        if ((await this.publishOnce()) === 0) await this.idle(this.pollIntervalMs);
      } catch (error) {
        const level = isDatabaseUnavailable(error) ? 'warn' : 'error';
        this.options.log?.(level, 'outbox relay failed; retrying', { error: String(error) });
        await this.listener?.reconnect(); // gives up leadership, as a fresh start would
        await this.idle(this.pollIntervalMs);
      }
    }
  }

  private get isLeader(): boolean {
    return this.listener?.isListening ?? false;
  }

  /**
   * A dedicated connection that takes a session advisory lock, then LISTENs for commits; without
   * the lock it asks again every three polls. Losing the connection loses the lock: it reconnects
   * and competes again, and the relay wakes once it leads (commits while away were not notified).
   */
  private leadershipListener(): PgListener {
    return new PgListener({
      connection: listenerConnection(this.options.dataSource, 'outbox-relay'),
      channels: [outboxChannel(this.schema)],
      onConnect: async (client) => {
        const [{ locked }] = (await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [`${this.schema}.outbox-relay`])).rows;
        return locked;
      },
      onNotify: () => {
        this.notified = true;
        this.wake?.();
      },
      onListening: () => this.wake?.(),
      onError: (error, retryInMs) => {
        const level = isDatabaseUnavailable(error) ? 'warn' : 'error';
        this.options.log?.(level, 'outbox relay lost its listening connection; reconnecting', { error: String(error), retryInMs });
      },
      standbyMs: this.pollIntervalMs * 3,
    });
  }

  /** Sent rows past the retention go (a `deleteSent` relay keeps none to purge). */
  private async purgeIfDue(): Promise<void> {
    if (this.options.deleteSent || Date.now() - this.lastPurge < 60_000) return;
    this.lastPurge = Date.now();
    await query(this.options.dataSource, `DELETE FROM outbox_events WHERE sent_at IS NOT NULL AND sent_at < now() - ($1::int * interval '1 millisecond')`, [this.retentionMs]);
  }

  private idle(ms: number): Promise<void> {
    if (this.notified) return Promise.resolve();
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

/** Consecutive rows with the same traceparent, in seq order. */
function runsOfTraceparent(rows: OutboxRow[]): OutboxRow[][] {
  const runs: OutboxRow[][] = [];
  for (const row of rows) {
    const last = runs[runs.length - 1];
    if (last && last[0].traceparent === row.traceparent) last.push(row);
    else runs.push([row]);
  }
  return runs;
}
