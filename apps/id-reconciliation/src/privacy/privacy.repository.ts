import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { execute, queryRows } from '@audience-hub/persistence';
import type { PrivacyIdentifiers, PrivacyRequestType } from '@audience-hub/contracts';
import { BUILT_IN_VISITOR_ID } from '../data-sources/data-source.model';
import type { PrivacyReceiptModel, PrivacyRequestModel, PrivacyStatus } from './privacy-request.model';

interface RequestRow {
  request_id: string;
  regulation: string;
  type: PrivacyRequestType;
  dry_run: boolean;
  status: PrivacyStatus;
  identifier_hashes: string[];
  requested_at: Date;
  finished_at: Date | null;
}

interface ReceiptRow {
  service: PrivacyReceiptModel['service'];
  outcome: 'completed' | 'failed';
  counts: Record<string, number> | null;
  document: Record<string, unknown> | null;
  shared_audience_ids: string[] | null;
  reason: string | null;
  received_at: Date;
}

export interface NewPrivacyRequest {
  requestId: string;
  regulation: string;
  type: PrivacyRequestType;
  dryRun: boolean;
  idempotencyKey?: string;
  subjectsHash: string;
  subjectHashes: string[];
  identifierHashes: string[];
  requestedBy: string;
}

/** What the subjects' identifiers point at in the graph: declared ids are already normalised. */
export interface SubjectIds {
  recipientIds: string[];
  ecids: string[];
  declaredIds: Array<{ dataSourceId: string; declaredId: string }>;
}

/** Privacy requests, their receipts, and the identity graph as a request reads and erases it. */
@Injectable()
export class PrivacyRepository {
  async findByIdempotencyKey(tx: EntityManager, orgId: string, key: string): Promise<string | undefined> {
    const rows = await queryRows<{ request_id: string }>(tx, `SELECT request_id FROM privacy_requests WHERE org_id = $1 AND idempotency_key = $2`, [orgId, key]);
    return rows[0]?.request_id;
  }

  /** A dry run and the request itself are different requests, even for the same subjects. */
  async findUnfinished(tx: EntityManager, orgId: string, type: PrivacyRequestType, dryRun: boolean, subjectsHash: string): Promise<string | undefined> {
    const rows = await queryRows<{ request_id: string }>(
      tx,
      `SELECT request_id FROM privacy_requests WHERE org_id = $1 AND type = $2 AND dry_run = $3 AND subjects_hash = $4 AND status = 'pending' ORDER BY requested_at LIMIT 1`,
      [orgId, type, dryRun, subjectsHash],
    );
    return rows[0]?.request_id;
  }

  async insert(tx: EntityManager, orgId: string, request: NewPrivacyRequest): Promise<void> {
    await execute(
      tx,
      `INSERT INTO privacy_requests (org_id, request_id, regulation, type, dry_run, status, idempotency_key, subjects_hash, subject_hashes, identifier_hashes, requested_by)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10)`,
      [
        orgId,
        request.requestId,
        request.regulation,
        request.type,
        request.dryRun,
        request.idempotencyKey ?? null,
        request.subjectsHash,
        request.subjectHashes,
        request.identifierHashes,
        request.requestedBy,
      ],
    );
  }

  async find(tx: EntityManager, orgId: string, requestId: string, options: { lock?: boolean } = {}): Promise<PrivacyRequestModel | undefined> {
    const rows = await queryRows<RequestRow>(
      tx,
      `SELECT request_id, regulation, type, dry_run, status, identifier_hashes, requested_at, finished_at FROM privacy_requests WHERE org_id = $1 AND request_id = $2${options.lock ? ' FOR UPDATE' : ''}`,
      [orgId, requestId],
    );
    if (rows.length === 0) return undefined;
    const receipts = await queryRows<ReceiptRow>(
      tx,
      `SELECT service, outcome, counts, document, shared_audience_ids, reason, received_at FROM privacy_receipts WHERE org_id = $1 AND request_id = $2 ORDER BY service`,
      [orgId, requestId],
    );
    const row = rows[0];
    return {
      requestId: row.request_id,
      regulation: row.regulation,
      type: row.type,
      dryRun: row.dry_run,
      status: row.status,
      identifierHashes: row.identifier_hashes,
      requestedAt: row.requested_at.toISOString(),
      ...(row.finished_at ? { finishedAt: row.finished_at.toISOString() } : {}),
      receipts: receipts.map((receipt) => ({
        service: receipt.service,
        outcome: receipt.outcome,
        ...(receipt.counts ? { counts: receipt.counts } : {}),
        ...(receipt.document ? { document: receipt.document } : {}),
        ...(receipt.shared_audience_ids ? { sharedAudienceIds: receipt.shared_audience_ids } : {}),
        ...(receipt.reason ? { reason: receipt.reason } : {}),
        receivedAt: receipt.received_at.toISOString(),
      })),
    };
  }

  /** A service's latest answer replaces its earlier one: a success after a failure counts. */
  async upsertReceipt(tx: EntityManager, orgId: string, requestId: string, receipt: PrivacyReceiptModel): Promise<void> {
    await execute(
      tx,
      `INSERT INTO privacy_receipts (org_id, request_id, service, outcome, counts, shared_audience_ids, reason, received_at, document)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (org_id, request_id, service) DO UPDATE SET outcome = excluded.outcome, counts = excluded.counts, document = excluded.document,
         shared_audience_ids = excluded.shared_audience_ids, reason = excluded.reason, received_at = excluded.received_at`,
      [
        orgId,
        requestId,
        receipt.service,
        receipt.outcome,
        receipt.counts ? JSON.stringify(receipt.counts) : null,
        receipt.sharedAudienceIds ?? null,
        receipt.reason ?? null,
        receipt.receivedAt,
        receipt.document ? JSON.stringify(receipt.document) : null,
      ],
    );
  }

  async setStatus(tx: EntityManager, orgId: string, requestId: string, status: PrivacyStatus): Promise<void> {
    await execute(tx, `UPDATE privacy_requests SET status = $3, finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END WHERE org_id = $1 AND request_id = $2`, [
      orgId,
      requestId,
      status,
    ]);
  }

  /**
   * The identity graph around the subjects: their recipients (a recipient id, the current owner of
   * an ECID, the owner of a declared id), then every ECID linked to or ever observed with those
   * recipients and every declared id of theirs. The subjects' own ids stay in even when nothing
   * links them (an XC id still pending in an import).
   */
  async expand(tx: EntityManager, orgId: string, subjects: SubjectIds): Promise<PrivacyIdentifiers> {
    const recipients = await queryRows<{ recipient_id: string }>(
      tx,
      `SELECT unnest($2::text[]) AS recipient_id
       UNION SELECT recipient_id FROM visitor_links WHERE org_id = $1 AND ecid = ANY($3::text[])
       UNION SELECT d.recipient_id FROM declared_ids d JOIN unnest($4::text[], $5::text[]) AS s(data_source_id, declared_id)
         ON d.data_source_id = s.data_source_id AND d.declared_id = s.declared_id WHERE d.org_id = $1`,
      [orgId, subjects.recipientIds, subjects.ecids, subjects.declaredIds.map((d) => d.dataSourceId), subjects.declaredIds.map((d) => d.declaredId)],
    );
    const recipientIds = recipients.map((row) => row.recipient_id).sort();
    const ecids = await queryRows<{ ecid: string }>(
      tx,
      `SELECT unnest($3::text[]) AS ecid
       UNION SELECT ecid FROM visitor_links WHERE org_id = $1 AND recipient_id = ANY($2::text[])
       UNION SELECT ecid FROM visitor_observations WHERE org_id = $1 AND recipient_id = ANY($2::text[])`,
      [orgId, recipientIds, subjects.ecids],
    );
    const declared = await queryRows<{ data_source_id: string; declared_id: string }>(
      tx,
      `SELECT * FROM unnest($3::text[], $4::text[]) AS s(data_source_id, declared_id)
       UNION SELECT data_source_id, declared_id FROM declared_ids WHERE org_id = $1 AND recipient_id = ANY($2::text[])`,
      [orgId, recipientIds, subjects.declaredIds.map((d) => d.dataSourceId), subjects.declaredIds.map((d) => d.declaredId)],
    );
    return {
      recipientIds,
      ecids: ecids.map((row) => row.ecid).sort(),
      declaredIds: declared
        .map((row) => ({ dataSourceId: row.data_source_id, declaredId: row.declared_id }))
        .sort((a, b) => `${a.dataSourceId}/${a.declaredId}`.localeCompare(`${b.dataSourceId}/${b.declaredId}`)),
    };
  }

  /** access: every row the graph holds for the identifiers, per table, as JSON. */
  async rowsHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, Array<Record<string, unknown>>>> {
    const ids = `WITH ids AS (SELECT $1::text AS of_org, $2::text[] AS recipients_of, $3::text[] AS ecids_of, $4::text[] AS sources_of, $5::text[] AS declared_of)`;
    const held: Record<string, string> = {
      recipients: `org_id = ids.of_org AND recipient_id = ANY(ids.recipients_of)`,
      declared_ids: `org_id = ids.of_org AND (recipient_id = ANY(ids.recipients_of) OR (data_source_id, declared_id) IN (SELECT * FROM unnest(ids.sources_of, ids.declared_of)))`,
      visitor_links: `org_id = ids.of_org AND (recipient_id = ANY(ids.recipients_of) OR ecid = ANY(ids.ecids_of))`,
      visitor_observations: `org_id = ids.of_org AND (recipient_id = ANY(ids.recipients_of) OR ecid = ANY(ids.ecids_of))`,
      deleted_recipients: `org_id = ids.of_org AND recipient_id = ANY(ids.recipients_of)`,
    };
    const document: Record<string, Array<Record<string, unknown>>> = {};
    for (const [table, condition] of Object.entries(held)) {
      const rows = await queryRows<{ row: Record<string, unknown> }>(
        tx,
        `${ids} SELECT to_jsonb(t) AS row FROM ${table} t, ids WHERE ${condition}`,
        graphParams(orgId, identifiers),
      );
      document[table] = rows.map((r) => r.row);
    }
    return document;
  }

  /**
   * Access documents of earlier requests that covered any of these identifiers (hashes): dropped
   * when the person is deleted, or they would keep what the delete removed.
   */
  async dropAccessDocuments(tx: EntityManager, orgId: string, hashes: readonly string[]): Promise<number> {
    return (
      await queryRows(
        tx,
        `UPDATE privacy_receipts r SET document = NULL FROM privacy_requests q
          WHERE r.org_id = $1 AND q.org_id = r.org_id AND q.request_id = r.request_id AND q.type = 'access' AND r.document IS NOT NULL AND q.identifier_hashes && $2::text[]
          RETURNING 1`,
        [orgId, hashes],
      )
    ).length;
  }

  /** Rows this schema holds for the identifiers, per table: what a delete removes (a dry run's answer). */
  async countHeld(tx: EntityManager, orgId: string, identifiers: PrivacyIdentifiers): Promise<Record<string, number>> {
    const [row] = await queryRows<Record<string, string>>(
      tx,
      `SELECT
         (SELECT count(*) FROM recipients WHERE org_id = $1 AND recipient_id = ANY($2::text[])) AS recipients,
         (SELECT count(*) FROM declared_ids d WHERE org_id = $1 AND (recipient_id = ANY($2::text[]) OR (data_source_id, declared_id) IN (SELECT * FROM unnest($4::text[], $5::text[])))) AS declared_ids,
         (SELECT count(*) FROM visitor_links WHERE org_id = $1 AND (recipient_id = ANY($2::text[]) OR ecid = ANY($3::text[]))) AS visitor_links,
         (SELECT count(*) FROM visitor_observations WHERE org_id = $1 AND (recipient_id = ANY($2::text[]) OR ecid = ANY($3::text[]))) AS visitor_observations,
         (SELECT count(*) FROM deleted_recipients WHERE org_id = $1 AND recipient_id = ANY($2::text[])) AS deleted_recipients`,
      graphParams(orgId, identifiers),
    );
    return Object.fromEntries(Object.entries(row).map(([table, count]) => [table, Number(count)]));
  }

  /**
   * Deletes the identifiers from the graph, history included; answers the rows deleted per table
   * and the links that went, whose changelog records need tombstones.
   */
  async eraseHeld(
    tx: EntityManager,
    orgId: string,
    identifiers: PrivacyIdentifiers,
  ): Promise<{ counts: Record<string, number>; unlinked: Array<{ dataSourceId: string; xcId: string }> }> {
    const params = graphParams(orgId, identifiers);
    const declared: Array<{ data_source_id: string; declared_id: string }> = await queryRows(
      tx,
      `DELETE FROM declared_ids WHERE org_id = $1 AND (recipient_id = ANY($2::text[]) OR (data_source_id, declared_id) IN (SELECT * FROM unnest($3::text[], $4::text[])))
         RETURNING data_source_id, declared_id`,
      [params[0], params[1], params[3], params[4]],
    );
    const visitors: Array<{ ecid: string }> = await queryRows(
      tx,
      `DELETE FROM visitor_links WHERE org_id = $1 AND (recipient_id = ANY($2::text[]) OR ecid = ANY($3::text[])) RETURNING ecid`,
      params.slice(0, 3),
    );
    const observations = await queryRows(
      tx,
      `DELETE FROM visitor_observations WHERE org_id = $1 AND (recipient_id = ANY($2::text[]) OR ecid = ANY($3::text[])) RETURNING 1`,
      params.slice(0, 3),
    );
    const recipients = await queryRows(tx, `DELETE FROM recipients WHERE org_id = $1 AND recipient_id = ANY($2::text[]) RETURNING 1`, params.slice(0, 2));
    const deleted = await queryRows(tx, `DELETE FROM deleted_recipients WHERE org_id = $1 AND recipient_id = ANY($2::text[]) RETURNING 1`, params.slice(0, 2));
    return {
      counts: {
        recipients: recipients.length,
        declared_ids: declared.length,
        visitor_links: visitors.length,
        visitor_observations: observations.length,
        deleted_recipients: deleted.length,
      },
      unlinked: [
        ...declared.map((row) => ({ dataSourceId: row.data_source_id, xcId: row.declared_id })),
        ...visitors.map((row) => ({ dataSourceId: BUILT_IN_VISITOR_ID, xcId: row.ecid })),
      ],
    };
  }
}

const graphParams = (orgId: string, identifiers: PrivacyIdentifiers) => [
  orgId,
  identifiers.recipientIds,
  identifiers.ecids,
  identifiers.declaredIds.map((d) => d.dataSourceId),
  identifiers.declaredIds.map((d) => d.declaredId),
];
