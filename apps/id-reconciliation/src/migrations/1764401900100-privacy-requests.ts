import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Privacy requests and their receipts. A request keeps its subjects, the identifiers it expanded
 * to and its Idempotency-Key as sha256 hashes only: it says exactly what it covered without holding
 * the person in clear.
 */
export class PrivacyRequests1764401900100 implements MigrationInterface {
  name = 'PrivacyRequests1764401900100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE privacy_requests (
        org_id text NOT NULL,
        request_id text NOT NULL,
        regulation text NOT NULL,
        type text NOT NULL CHECK (type IN ('access', 'delete', 'suppress', 'unsuppress')),
        dry_run boolean NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'completed', 'partial')),
        idempotency_key text,
        subjects_hash text NOT NULL,
        subject_hashes text[] NOT NULL,
        identifier_hashes text[] NOT NULL,
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        PRIMARY KEY (org_id, request_id)
      )`);
    await runner.query(`CREATE UNIQUE INDEX privacy_requests_by_idempotency_key ON privacy_requests (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await runner.query(`CREATE INDEX privacy_requests_unfinished ON privacy_requests (org_id, type, subjects_hash) WHERE status = 'pending'`);
    await runner.query(`
      CREATE TABLE privacy_receipts (
        org_id text NOT NULL,
        request_id text NOT NULL,
        service text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('completed', 'failed')),
        counts jsonb,
        document jsonb,
        shared_audience_ids text[],
        reason text,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (org_id, request_id, service),
        FOREIGN KEY (org_id, request_id) REFERENCES privacy_requests (org_id, request_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE privacy_receipts`);
    await runner.query(`DROP TABLE privacy_requests`);
  }
}
