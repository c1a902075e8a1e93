import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The service's audit trail, append-only: the service's own role (which owns the table, as it owns
 * its whole schema) gives up UPDATE, DELETE and TRUNCATE on it, so the service can add records but
 * never change or remove one. Every service lists it in its migrations.
 */
export class AuditTrail1764401500000 implements MigrationInterface {
  name = 'AuditTrail1764401500000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE audit_events (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        occurred_at timestamptz NOT NULL,
        org_id text,
        actor_client_id text NOT NULL,
        actor_org_id text NOT NULL,
        action text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('succeeded', 'denied', 'failed')),
        target jsonb NOT NULL,
        trace_id text NOT NULL,
        reason text
      )`);
    // GET /v1/audit-events reads one org's records newest first; filters narrow that range.
    await runner.query(`CREATE INDEX audit_events_by_org ON audit_events (org_id, seq)`);
    await runner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM CURRENT_USER, PUBLIC`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE audit_events`);
  }
}
