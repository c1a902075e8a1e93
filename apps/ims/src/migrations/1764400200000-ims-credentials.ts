import { MigrationInterface, QueryRunner } from 'typeorm';

/** Orgs, technical accounts, their hashed client secrets, and the encrypted signing keys. */
export class ImsCredentials1764400200000 implements MigrationInterface {
  name = 'ImsCredentials1764400200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE orgs (
        org_id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE technical_accounts (
        id text PRIMARY KEY,
        org_id text NOT NULL REFERENCES orgs (org_id),
        name text NOT NULL,
        client_id text NOT NULL UNIQUE,
        scopes text[] NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await runner.query(`CREATE INDEX technical_accounts_org ON technical_accounts (org_id, id)`);
    // A removed secret keeps its row (revoked_at set): validate_token can then say why a token is refused.
    await runner.query(`
      CREATE TABLE client_secrets (
        id text PRIMARY KEY,
        technical_account_id text NOT NULL REFERENCES technical_accounts (id),
        secret_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await runner.query(`CREATE INDEX client_secrets_live ON client_secrets (technical_account_id) WHERE revoked_at IS NULL`);
    // private_key_enc: AES-256-GCM under IMS_MASTER_KEY, wiped at retirement. A retired key stays
    // published until published_until (when the last token it signed has expired).
    await runner.query(`
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        alg text NOT NULL CHECK (alg IN ('ES256', 'RS256')),
        public_jwk jsonb NOT NULL,
        private_key_enc text,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        published_until timestamptz
      )`);
    await runner.query(`CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((true)) WHERE retired_at IS NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE signing_keys`);
    await runner.query(`DROP TABLE client_secrets`);
    await runner.query(`DROP TABLE technical_accounts`);
    await runner.query(`DROP TABLE orgs`);
  }
}
