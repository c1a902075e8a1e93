import type { z } from 'zod';
import type { DataUsageLabel } from '../ids.schema';
import type { ExportModeSchema } from '../events/campaign-shared-audience-requests.schema';
import type { MarketingActionSchema } from '../events/campaign-imports.schema';
import type { SnapshotModeSchema } from '../events/xc-audiences.schema';
import type { NormalizationStep } from '../normalization';

/*
 * What the services' REST routes answer: one definition that the services build and
 * @audience-hub/client reads, so the two cannot drift apart.
 */

export type MarketingAction = z.infer<typeof MarketingActionSchema>;
export type SnapshotMode = z.infer<typeof SnapshotModeSchema>;
export type ExportMode = z.infer<typeof ExportModeSchema>;

/** Every list route: `?limit=&cursor=` (an opaque cursor), answered with the next cursor or null. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// audience-import

/** An audience an XC solution shares with the org. */
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
  /** Records with no usable id (wrong format for the data source), counted rather than dropped. */
  invalid: number;
}

/** A governance policy of the org (or the default while it set none). */
export interface Policy {
  action: MarketingAction;
  deniedLabels: DataUsageLabel[];
  /** `default` until the org sets its own. */
  source: 'default' | 'org';
}

/** A governance decision on an import. */
export interface Decision {
  action: MarketingAction;
  /** What decided: `<default|org>:<action>` or `export-control:<control>`. */
  policy: string;
  /** The labels that forbade it when denied; the labels considered when allowed. */
  labels: DataUsageLabel[];
  allowed: boolean;
  reason?: string;
}

export interface RecordedDecision extends Decision {
  at: string;
}

/** A snapshot still arriving: parts so far (lastPart known once its last chunk came) and its ids resolved so far. */
export interface ReceivingRun {
  partsReceived: number;
  lastPart: number | null;
  received: number;
  matched: number;
  unmatched: number;
  startedAt: string;
}

/** An import job as the REST API shows it (DESIGN 4b plus what explains it). */
export interface ImportView {
  id: string;
  state: ImportState;
  audienceId: string;
  listId: string;
  listLabel: string | null;
  dataSourceId: string;
  mode: SnapshotMode;
  /** Of the last snapshot applied, plus late reconciliation since; `pending` is live. */
  counts: ImportCounts;
  matchRate: number;
  decision: RecordedDecision | null;
  reason: string | null;
  /** Snapshots applied so far. */
  snapshots: number;
  /** Of the counts, members added by late reconciliation since the last snapshot. */
  lateMatched: number;
  /** The snapshot being received now (parts so far, how its ids resolved), or null between snapshots. */
  receiving: ReceivingRun | null;
  createdAt: string;
  updatedAt: string;
}

export interface LineError {
  line: number;
  reason: string;
}

/** What became of one outbound file (POST /v1/files answer, and the report beside a watched or picked-up file). */
export interface FileReport {
  id: string;
  name: string;
  state: 'applied' | 'refused';
  lines: number;
  /** Lines applied: every good line, or 0 when the file was refused. */
  applied: number;
  errorCount: number;
  /** The first malformed lines (at most 1,000), with their line numbers. */
  errors: LineError[];
  reason?: string;
  receivedAt?: string;
  /** True when this file name was applied before: nothing was done again. */
  duplicate?: boolean;
  /** A dry run: what the file would do to each import of the audiences it names; nothing was written. */
  dryRun?: true;
  effects?: ImportEffect[];
}

/** What a file (or snapshot) does to one import's list: recipients added and removed, and how its ids resolved. */
export interface ImportEffect {
  importId: string;
  listId: string;
  added: number;
  removed: number;
  matched: number;
  unmatched: number;
  matchRate: number;
}

/**
 * What the audience's last received full snapshot would do if it arrived again now (POST
 * /v1/imports/dry-run): its ids resolved through the identity replica as it is now, against each
 * open import's list as it is now. Nothing was written.
 */
export interface SnapshotDryRun {
  dryRun: true;
  audienceId: string;
  /** The snapshot kept: `xc:<snapshotId>` or `file:<fileId>`, its id type, ids as received and when it was complete. */
  snapshot: { key: string; idType: 'visitor' | 'declared'; dataSourceId: string | null; ids: number; parts: number; receivedAt: string };
  effects: ImportEffect[];
}

// id-reconciliation

/** A data source as stored and as answered by the API. */
export interface DataSourceView {
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

export interface DataSourceStats {
  dataSourceId: string;
  recipientsWithKeyValue: number;
  recipientsWithVisitorLink: number;
  linksAddedLastDay: number;
}

// audience-export

export interface SharedAudienceView {
  id: string;
  segmentName: string;
  /** The Audience Manager segment id used in inbound files (`d_sid=<segmentId>`). */
  segmentId: number;
  dataSourceId: string;
  /** Last exported version; 0 before the first export. */
  version: number;
  createdAt: string;
}

export type UpdateState = 'pending' | 'running' | 'completed' | 'failed' | 'denied';

export interface UpdateCounts {
  /** Ids the shared audience holds after the run. */
  exported: number;
  added: number;
  removed: number;
  /** The list's recipients with no id for the data source. */
  unmapped: number;
}

/** A governance decision on sharing a list with XC. */
export interface GovernanceDecision {
  action: 'share-to-experience-cloud';
  policy: string;
  labels: string[];
  controls: string[];
  allowed: boolean;
}

/** Where one inbound file of an update went. */
export interface FileDelivery {
  name: string;
  location: string | null;
  state: 'pending' | 'delivered';
  attempts: number;
  lastError?: string;
  deliveredAt?: string;
}

/** What GET .../updates/{updateId} answers. */
export interface UpdateView {
  id: string;
  sharedAudienceId: string;
  listId: string;
  mode: ExportMode;
  requestId?: string;
  state: UpdateState;
  version: number | null;
  counts: UpdateCounts;
  decisions: GovernanceDecision[];
  reason?: string;
  /** Names of the run's inbound files. */
  files: string[];
  /** Where each file went: its location, delivered or pending, attempts and last error while it fails. */
  deliveries: FileDelivery[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** What an update would do now (`dryRun: true` on POST .../updates): nothing was written. */
export interface UpdateDryRun {
  dryRun: true;
  /** `completed` (its counts say what it would add and remove), or `denied` / `failed` with the reason. */
  state: UpdateState;
  counts: UpdateCounts;
  decisions: GovernanceDecision[];
  reason?: string;
}

// dead letters (id-reconciliation, audience-import, audience-export: each its own consumer group's)

/** A dead letter as the API shows it; `id` is its place in hub.dead-letter.v1, `<partition>-<offset>`. */
export interface DeadLetterView {
  id: string;
  /** The topic it was consumed from, its partition and offset there. */
  topic: string;
  partition: number;
  offset: string;
  reason: string;
  /** The first of the errors, or the reason when the service listed none. */
  firstError: string;
  attempts: number;
  eventId: string | null;
  eventType: string | null;
  deadLetteredAt: string;
}

export interface DeadLetterDetail extends DeadLetterView {
  errors: string[];
  /** The original message: key, value (parsed when JSON) and its own headers. */
  key: string | null;
  event: unknown;
  headers: Record<string, string>;
}

/** Import and update states after which nothing more happens. */
export const FINAL_STATES: ReadonlySet<string> = new Set<ImportState | UpdateState>(['completed', 'failed', 'denied']);
