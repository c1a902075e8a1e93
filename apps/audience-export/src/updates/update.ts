import type { FileDelivery } from '../files/export-files.repository';
import type { GovernanceDecision } from '../governance/export-governance';
import type { ExportMode, UpdateCounts, UpdateState, UpdateView } from '@audience-hub/contracts';

export type { ExportMode, UpdateCounts, UpdateState, UpdateView };

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
