import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { query, queryRows } from '@audience-hub/persistence';
import type { Principal } from './principal';

/** Each service's record of revoked technical accounts and secrets, learned from ims.events.v1. */
export class RevokedCredentials1764400000100 implements MigrationInterface {
  name = 'RevokedCredentials1764400000100';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE revoked_credentials (
        seq bigserial PRIMARY KEY,
        technical_account_id text NOT NULL,
        secret_id text NOT NULL DEFAULT '',
        revoked_at timestamptz NOT NULL,
        UNIQUE (technical_account_id, secret_id)
      )`);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE revoked_credentials`);
  }
}

export async function recordRevocation(manager: EntityManager, accountId: string, secretId: string | undefined, revokedAt: string): Promise<void> {
  await query(
    manager,
    `INSERT INTO revoked_credentials (technical_account_id, secret_id, revoked_at) VALUES ($1, $2, $3)
     ON CONFLICT (technical_account_id, secret_id) DO NOTHING`,
    [accountId, secretId ?? '', revokedAt],
  );
}

/**
 * In-memory view of the revocations table, refreshed every second: each instance of a service
 * consumes only some partitions of ims.events.v1, but all of them write the same table.
 */
export class RevocationRegistry {
  private readonly accounts = new Set<string>();
  private readonly secrets = new Set<string>();
  private lastSeq = '0';
  private timer?: NodeJS.Timeout;

  constructor(private readonly dataSource?: DataSource) {}

  isRevoked(principal: Principal): boolean {
    if (this.accounts.has(principal.accountId)) return true;
    return principal.secretId !== undefined && this.secrets.has(`${principal.accountId}/${principal.secretId}`);
  }

  /** Marks a revocation at once (the instance that consumed the event need not wait for refresh). */
  add(accountId: string, secretId?: string): void {
    if (secretId) this.secrets.add(`${accountId}/${secretId}`);
    else this.accounts.add(accountId);
  }

  async refresh(): Promise<void> {
    if (!this.dataSource) return;
    const rows = await queryRows<{ seq: string; technical_account_id: string; secret_id: string }>(
      this.dataSource,
      `SELECT seq, technical_account_id, secret_id FROM revoked_credentials WHERE seq > $1 ORDER BY seq`,
      [this.lastSeq],
    );
    for (const row of rows) {
      this.add(row.technical_account_id, row.secret_id || undefined);
      this.lastSeq = row.seq;
    }
  }

  start(intervalMs = 1_000): void {
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
