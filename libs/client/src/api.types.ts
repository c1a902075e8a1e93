import type { z } from 'zod';
import type { DataUsageLabel, ExportModeSchema, MarketingActionSchema, NormalizationStep, SnapshotModeSchema } from '@audience-hub/contracts';

// What the four services' REST routes take and answer. Enumerations come from the zod contracts;
// the shapes mirror the services' views (a lib never imports an app), and the e2e tests drive the
// real services through this client, which keeps the two in step.

export type MarketingAction = z.infer<typeof MarketingActionSchema>;
export type SnapshotMode = z.infer<typeof SnapshotModeSchema>;
export type ExportMode = z.infer<typeof ExportModeSchema>;

/** Every list route: `?limit=&cursor=`, answered with the next cursor or null. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

// audience-import

export interface XcAudience {
  audienceId: string;
  name: string;
  solution: string;
  labels: DataUsageLabel[];
  publishedAt: string;
  updatedAt: string;
  withdrawn: boolean;
}

export type ImportState = 'pending' | 'running' | 'completed' | 'failed' | 'denied';

export interface ImportCounts {
  received: number;
  matched: number;
  unmatched: number;
  pending: number;
  added: number;
  removed: number;
  invalid: number;
}

export interface Decision {
  action: MarketingAction;
  policy: string;
  labels: DataUsageLabel[];
  allowed: boolean;
  reason?: string;
  at?: string;
}

/** The snapshot an import is receiving now: its parts so far and how its ids resolved. */
export interface ReceivingRun {
  partsReceived: number;
  /** Known once the chunk marked lastPart arrived. */
  lastPart: number | null;
  received: number;
  matched: number;
  unmatched: number;
  startedAt: string;
}

export interface ImportView {
  id: string;
  state: ImportState;
  audienceId: string;
  listId: string;
  listLabel: string | null;
  dataSourceId: string;
  mode: SnapshotMode;
  counts: ImportCounts;
  matchRate: number;
  decision: Decision | null;
  reason: string | null;
  snapshots: number;
  lateMatched: number;
  receiving: ReceivingRun | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreateImport {
  audienceId: string;
  listId?: string;
  listLabel?: string;
  dataSourceId: string;
  mode: SnapshotMode;
}

export interface Policy {
  action: MarketingAction;
  deniedLabels: DataUsageLabel[];
  source?: 'default' | 'org';
}

export interface FileReport {
  id: string;
  name: string;
  state: 'applied' | 'refused';
  lines: number;
  applied: number;
  errorCount: number;
  errors: Array<{ line: number; reason: string }>;
  reason?: string;
  receivedAt?: string;
  duplicate?: boolean;
}

// id-reconciliation

export interface DataSource {
  id: string;
  name: string;
  idType: 'visitor' | 'declared';
  integrationCode: string;
  builtIn: boolean;
  reconciliationKey?: { attribute: string; normalization: NormalizationStep[] };
  exportControls: string[];
  xcDataSourceId?: string;
  destinationId?: string;
  createdAt: string;
  updatedAt: string;
}

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

export interface DataSourceStats {
  dataSourceId: string;
  recipientsWithKeyValue: number;
  recipientsWithVisitorLink: number;
  linksAddedLastDay: number;
}

export type ResolveDirection = 'to-recipients' | 'to-xc';

export interface Resolution {
  matched: Array<{ id: string; recipientId: string }>;
  unmatched: string[];
}

// audience-export

export interface SharedAudience {
  id: string;
  segmentName: string;
  segmentId: number;
  dataSourceId: string;
  version: number;
  createdAt: string;
}

export type UpdateState = 'pending' | 'running' | 'completed' | 'failed' | 'denied';

export interface UpdateView {
  id: string;
  sharedAudienceId: string;
  listId: string;
  mode: ExportMode;
  requestId?: string;
  state: UpdateState;
  version: number | null;
  counts: { exported: number; added: number; removed: number; unmapped: number };
  decisions: Array<{ action: string; policy: string; labels: string[]; controls: string[]; allowed: boolean }>;
  reason?: string;
  files: string[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Import and update states after which nothing more happens. */
export const FINAL_STATES: ReadonlySet<string> = new Set(['completed', 'failed', 'denied']);

// dead letters (id-reconciliation, audience-import, audience-export: each its own consumer group's)

export interface DeadLetter {
  /** Its place in hub.dead-letter.v1: `<partition>-<offset>`. */
  id: string;
  topic: string;
  partition: number;
  offset: string;
  reason: string;
  /** The first of the errors, or the reason when none were listed. */
  firstError: string;
  attempts: number;
  eventId: string | null;
  eventType: string | null;
  deadLetteredAt: string;
}

export interface DeadLetterDetail extends DeadLetter {
  errors: string[];
  key: string | null;
  event: unknown;
  headers: Record<string, string>;
}

export interface RedriveRequest {
  ids?: string[];
  topic?: string;
  type?: string;
  dryRun?: boolean;
}
