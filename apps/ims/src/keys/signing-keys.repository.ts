import { Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import type { EntityManager } from 'typeorm';
import { query, queryOne, queryRows } from '@audience-hub/persistence';

export type SigningAlg = 'ES256' | 'RS256';

export interface CurrentKeyRow {
  kid: string;
  alg: SigningAlg;
  privateKeyEnc: string;
}

export interface PublishedKeyRow {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
}

const PUBLISHED = `(retired_at IS NULL OR published_until > now())`;

/** SQL of signing keys: one current key (unique index), retired keys published for a while. */
@Injectable()
export class SigningKeysRepository {
  /** Serializes creation and rotation across instances. */
  async lock(db: EntityManager): Promise<void> {
    await query(db, `SELECT pg_advisory_xact_lock(hashtext('ims.signing_keys'))`);
  }

  async current(db: EntityManager): Promise<CurrentKeyRow | undefined> {
    return queryOne<CurrentKeyRow>(db, `SELECT kid, alg, private_key_enc AS "privateKeyEnc" FROM signing_keys WHERE retired_at IS NULL`);
  }

  /** Keys verifiers may use, newest first. */
  async published(db: EntityManager): Promise<PublishedKeyRow[]> {
    return queryRows<PublishedKeyRow>(db, `SELECT kid, alg, public_jwk AS "publicJwk" FROM signing_keys WHERE ${PUBLISHED} ORDER BY created_at DESC`);
  }

  async findPublished(db: EntityManager, kid: string): Promise<PublishedKeyRow | undefined> {
    return queryOne<PublishedKeyRow>(db, `SELECT kid, alg, public_jwk AS "publicJwk" FROM signing_keys WHERE kid = $1 AND ${PUBLISHED}`, [kid]);
  }

  async insert(db: EntityManager, key: { kid: string; alg: SigningAlg; publicJwk: JWK; privateKeyEnc: string }): Promise<void> {
    await query(db, `INSERT INTO signing_keys (kid, alg, public_jwk, private_key_enc) VALUES ($1, $2, $3::jsonb, $4)`, [
      key.kid,
      key.alg,
      JSON.stringify(key.publicJwk),
      key.privateKeyEnc,
    ]);
  }

  /** Retires the current key, wiping its private half; its public half stays published for `publishSeconds`. */
  async retireCurrent(db: EntityManager, publishSeconds: number): Promise<{ kid: string; publishedUntil: Date } | undefined> {
    const rows = await queryRows<{ kid: string; publishedUntil: Date }>(
      db,
      `UPDATE signing_keys SET retired_at = now(), published_until = now() + make_interval(secs => $1), private_key_enc = NULL
        WHERE retired_at IS NULL RETURNING kid, published_until AS "publishedUntil"`,
      [publishSeconds],
    );
    return rows[0];
  }
}
