import { Client, type ClientConfig, type Notification } from 'pg';
import type { DataSource } from 'typeorm';
import { jitteredBackoffMs, type BackoffOptions } from './reconnect-backoff';

export interface PgListenerOptions {
  connection: ClientConfig;
  channels: readonly string[];
  onNotify: (notification: Notification) => void;
  /**
   * Runs on every new connection before LISTEN (the outbox relay takes its session lock here).
   * Returning false means "not now": the connection is closed, without error, and opened again
   * after `standbyMs`.
   */
  onConnect?: (client: Client) => Promise<boolean | void>;
  /** LISTEN is in place, at first and after every reconnect. Notifications sent while away are lost: look once. */
  onListening?: () => void;
  /** A connection failed or was lost; the next one is tried in `retryInMs`. */
  onError?: (error: unknown, retryInMs: number) => void;
  /** Wait after onConnect said "not now" (ms). Default 3 s. */
  standbyMs?: number;
  /** Default 250 ms doubling to 10 s. */
  backoff?: BackoffOptions;
}

const DEFAULT_BACKOFF: BackoffOptions = { minMs: 250, maxMs: 10_000 };

/**
 * Options for a listener's own connection beside `dataSource`'s pool: the same server, role and
 * session settings, named `<data source's application_name>-<role>` in pg_stat_activity.
 */
export function listenerConnection(dataSource: DataSource, role: string): ClientConfig {
  const options = dataSource.options as { url?: string; applicationName?: string; extra?: { options?: string; connectionTimeoutMillis?: number } };
  return {
    connectionString: options.url,
    application_name: `${options.applicationName ?? 'audience-hub'}-${role}`,
    options: options.extra?.options,
    connectionTimeoutMillis: options.extra?.connectionTimeoutMillis ?? 5_000,
    // An idle LISTEN connection sends nothing: keepalives notice a peer that vanished without closing.
    keepAlive: true,
  };
}

/**
 * LISTENs on a dedicated connection and keeps it: on any error or end it connects again after a
 * jittered exponential backoff, runs `onConnect` again and reports `onListening`, until `close()`.
 */
export class PgListener {
  /** The connection in hand, from its opening until it is dropped; events of older ones are ignored. */
  private client?: Client;
  private listening = false;
  private started = false;
  private closed = false;
  private failures = 0;
  private retry?: NodeJS.Timeout;

  constructor(private readonly options: PgListenerOptions) {}

  /** Connected, accepted by `onConnect` and LISTENing. */
  get isListening(): boolean {
    return this.listening;
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.connect();
  }

  /** Drops the connection, and with it its session state (such as an advisory lock), and connects again. */
  async reconnect(): Promise<void> {
    const client = this.client;
    if (!client) return; // between connections already
    this.schedule(jitteredBackoffMs(this.failures++, this.backoff));
    await this.drop(client);
  }

  /** Stops for good. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    if (this.client) await this.drop(this.client);
  }

  private get backoff(): BackoffOptions {
    return this.options.backoff ?? DEFAULT_BACKOFF;
  }

  private async connect(): Promise<void> {
    this.retry = undefined;
    if (this.closed) return;
    const client = new Client(this.options.connection);
    this.client = client;
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('listener connection ended')));
    client.on('notification', (notification) => this.options.onNotify(notification));
    try {
      await client.connect();
      const accepted = (await this.options.onConnect?.(client)) !== false;
      if (this.client !== client) return; // closed or dropped meanwhile
      if (!accepted) {
        this.schedule(this.options.standbyMs ?? 3_000);
        await this.drop(client);
        return;
      }
      for (const channel of this.options.channels) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      if (this.client !== client) return;
      this.failures = 0;
      this.listening = true;
      this.options.onListening?.();
    } catch (error) {
      this.lost(client, error);
    }
  }

  /** The connection in hand failed (an error, its end, or a failed step while opening): try again later. */
  private lost(client: Client, error: unknown): void {
    if (this.client !== client) return;
    const delay = jitteredBackoffMs(this.failures++, this.backoff);
    this.schedule(delay);
    void this.drop(client);
    this.options.onError?.(error, delay);
  }

  private async drop(client: Client): Promise<void> {
    if (this.client === client) {
      this.client = undefined;
      this.listening = false;
    }
    await client.end().catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), delayMs);
    this.retry.unref();
  }
}
