import type { FileDelivery } from '../files/export-files.repository';
import type { GovernanceDecision } from '../governance/export-governance';

export type UpdateState = 'pending' | 'running' | 'completed' | 'failed' | 'denied';
export type ExportMode = 'add-only' | 'mirror';

export interface UpdateCounts {
  /** Ids the shared audience holds after the run. */
  exported: number;
  added: number;
  removed: number;
  /** The list's recipients with no id for the data source. */
  unmapped: number;
}

export interface UpdateRow {
  orgId: string;
  id: string;
  runNo: number;
  sharedAudienceId: string;
  listId: string;
  mode: ExportMode;
  requestId: string | null;
  idType: 'visitor' | 'declared' | null;
  state: UpdateState;
  version: number | null;
  /** Failed attempts at the step the update is waiting for (start while pending, final step while running). */
  stepAttempts: number;
  counts: UpdateCounts;
  decisions: GovernanceDecision[];
  reason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
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

export function updateView(row: UpdateRow, deliveries: FileDelivery[]): UpdateView {
  return {
    id: row.id,
    sharedAudienceId: row.sharedAudienceId,
    listId: row.listId,
    mode: row.mode,
    ...(row.requestId ? { requestId: row.requestId } : {}),
    state: row.state,
    version: row.version,
    counts: row.counts,
    decisions: row.decisions,
    ...(row.reason ? { reason: row.reason } : {}),
    files: deliveries.map((delivery) => delivery.name),
    deliveries,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}
