import type { AuditAction, NormalizationStep, SnapshotMode } from '@audience-hub/contracts';

export {
  FINAL_STATES,
  type AuditAction,
  type AuditRecord,
  type DataSourceStats,
  type DataSourceView as DataSource,
  type DeadLetterDetail,
  type DeadLetterView as DeadLetter,
  type Decision,
  type ExportMode,
  type FileReport,
  type ImportCounts,
  type ImportState,
  type ImportView,
  type MarketingAction,
  type Page,
  type Policy,
  type Readiness,
  type TokenValidation,
  type CreatePrivacyRequest,
  type PrivacyRequestView as PrivacyRequest,
  type PrivacySubject,
  type ReceivingRun,
  type SharedAudienceView as SharedAudience,
  type SnapshotDryRun,
  type SnapshotMode,
  type ImportEffect,
  type UpdateDryRun,
  type UpdateState,
  type UpdateView,
  type XcAudience,
} from '@audience-hub/contracts';

// What the four services' REST routes take and answer: the views are libs/contracts' (the services
// build the same types), the requests are the client's own.

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

// audience-import

export interface CreateImport {
  audienceId: string;
  listId?: string;
  listLabel?: string;
  dataSourceId: string;
  mode: SnapshotMode;
}

// id-reconciliation

export interface CreateDataSource {
  id?: string;
  name: string;
  idType: 'declared';
  integrationCode: string;
  reconciliationKey: { attribute: string; normalization?: NormalizationStep[] };
  exportControls?: string[];
  xcDataSourceId?: string;
  destinationId?: string;
}

export type ResolveDirection = 'to-recipients' | 'to-xc';

export interface Resolution {
  matched: Array<{ id: string; recipientId: string }>;
  unmatched: string[];
}

// audience-export

// audit trail (every service, its own)
export interface AuditQuery extends PageQuery {
  /** Client id of the caller that acted. */
  actor?: string;
  action?: AuditAction;
  /** ISO 8601 date-times with an offset: records at or after `from`, before `to`. */
  from?: string;
  to?: string;
}

// dead letters (id-reconciliation, audience-import, audience-export: each its own consumer group's)

export interface RedriveRequest {
  ids?: string[];
  topic?: string;
  type?: string;
  dryRun?: boolean;
}
