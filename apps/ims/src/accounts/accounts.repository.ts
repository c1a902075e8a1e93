import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { query, queryOne, queryRows } from '@audience-hub/persistence';

export type AccountStatus = 'active' | 'revoked';

export interface TechnicalAccountRow {
  id: string;
  orgId: string;
  name: string;
  clientId: string;
  scopes: string[];
  status: AccountStatus;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface NewTechnicalAccount {
  id: string;
  orgId: string;
  name: string;
  clientId: string;
  scopes: readonly string[];
}

/** Whether the credentials a token was issued for still stand. */
export interface CredentialStatus {
  accountStatus: AccountStatus;
  /** Null when the token names no secret; undefined when the secret is unknown. */
  secretRevoked: boolean | null | undefined;
}

const COLUMNS = `id, org_id AS "orgId", name, client_id AS "clientId", scopes, status, created_at AS "createdAt", revoked_at AS "revokedAt"`;

/** SQL of technical accounts. Admin reads and writes are scoped by org. */
@Injectable()
export class AccountsRepository {
  async insert(db: EntityManager, account: NewTechnicalAccount): Promise<void> {
    await query(db, `INSERT INTO technical_accounts (id, org_id, name, client_id, scopes) VALUES ($1, $2, $3, $4, $5::text[])`, [
      account.id,
      account.orgId,
      account.name,
      account.clientId,
      account.scopes,
    ]);
  }

  async findByClientId(db: EntityManager, clientId: string): Promise<TechnicalAccountRow | undefined> {
    return queryOne<TechnicalAccountRow>(db, `SELECT ${COLUMNS} FROM technical_accounts WHERE client_id = $1`, [clientId]);
  }

  async findInOrg(db: EntityManager, orgId: string, id: string): Promise<TechnicalAccountRow | undefined> {
    return queryOne<TechnicalAccountRow>(db, `SELECT ${COLUMNS} FROM technical_accounts WHERE org_id = $1 AND id = $2`, [orgId, id]);
  }

  /** Locks the account row for the rest of the transaction (secret changes and revocation serialize on it). */
  async lockInOrg(db: EntityManager, orgId: string, id: string): Promise<TechnicalAccountRow | undefined> {
    return queryOne<TechnicalAccountRow>(db, `SELECT ${COLUMNS} FROM technical_accounts WHERE org_id = $1 AND id = $2 FOR UPDATE`, [orgId, id]);
  }

  /** One page ordered by id, starting after `afterId`. */
  async listInOrg(db: EntityManager, orgId: string, limit: number, afterId?: string): Promise<TechnicalAccountRow[]> {
    return queryRows<TechnicalAccountRow>(db, `SELECT ${COLUMNS} FROM technical_accounts WHERE org_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`, [
      orgId,
      afterId ?? null,
      limit,
    ]);
  }

  /** Marks the account revoked; returns the revocation time. */
  async revoke(db: EntityManager, id: string): Promise<Date> {
    const rows = await queryRows<{ revokedAt: Date }>(
      db,
      `UPDATE technical_accounts SET status = 'revoked', revoked_at = now() WHERE id = $1 RETURNING revoked_at AS "revokedAt"`,
      [id],
    );
    return rows[0].revokedAt;
  }

  async credentialStatus(db: EntityManager, accountId: string, secretId: string | undefined): Promise<CredentialStatus | undefined> {
    const rows = await queryRows<{ status: AccountStatus; secretFound: boolean; secretRevoked: boolean | null }>(
      db,
      `SELECT a.status, s.id IS NOT NULL AS "secretFound", s.revoked_at IS NOT NULL AS "secretRevoked"
         FROM technical_accounts a LEFT JOIN client_secrets s ON s.technical_account_id = a.id AND s.id = $2
        WHERE a.id = $1`,
      [accountId, secretId ?? null],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { accountStatus: row.status, secretRevoked: secretId === undefined ? null : row.secretFound ? row.secretRevoked : undefined };
  }

  /** Adds a scope the account lacks (tokens issued from now on carry it). */
  async addScope(db: EntityManager, id: string, scope: string): Promise<void> {
    await query(db, `UPDATE technical_accounts SET scopes = array_append(scopes, $2) WHERE id = $1 AND NOT ($2 = ANY (scopes))`, [id, scope]);
  }

  /** Serializes creation of one client id across instances (bootstrap at start-up). */
  async lockClientId(db: EntityManager, clientId: string): Promise<void> {
    await query(db, `SELECT pg_advisory_xact_lock(hashtext('ims.client_id:' || $1))`, [clientId]);
  }
}
