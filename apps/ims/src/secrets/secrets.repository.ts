import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@audience-hub/persistence';

export interface LiveSecretRow {
  id: string;
  technicalAccountId: string;
  secretHash: string;
  createdAt: Date;
}

/** SQL of client secrets. "Live" means not revoked; an account has at most two (checked under the account's row lock). */
@Injectable()
export class SecretsRepository {
  async insert(db: EntityManager, secret: { id: string; technicalAccountId: string; secretHash: string }): Promise<Date> {
    const rows = await queryRows<{ createdAt: Date }>(
      db,
      `INSERT INTO client_secrets (id, technical_account_id, secret_hash) VALUES ($1, $2, $3) RETURNING created_at AS "createdAt"`,
      [secret.id, secret.technicalAccountId, secret.secretHash],
    );
    return rows[0].createdAt;
  }

  async live(db: EntityManager, accountId: string): Promise<LiveSecretRow[]> {
    return this.liveOf(db, [accountId]);
  }

  async liveOf(db: EntityManager, accountIds: readonly string[]): Promise<LiveSecretRow[]> {
    return queryRows<LiveSecretRow>(
      db,
      `SELECT id, technical_account_id AS "technicalAccountId", secret_hash AS "secretHash", created_at AS "createdAt"
         FROM client_secrets WHERE technical_account_id = ANY($1::text[]) AND revoked_at IS NULL ORDER BY created_at, id`,
      [accountIds],
    );
  }

  /** Revokes a live secret; returns when, or undefined when there is no such live secret. */
  async revoke(db: EntityManager, accountId: string, secretId: string): Promise<Date | undefined> {
    const rows = await queryRows<{ revokedAt: Date }>(
      db,
      `UPDATE client_secrets SET revoked_at = now()
        WHERE technical_account_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING revoked_at AS "revokedAt"`,
      [accountId, secretId],
    );
    return rows[0]?.revokedAt;
  }
}
