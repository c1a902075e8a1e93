import type { DataUsageLabel } from '@audience-hub/contracts';
import type { Decision } from '../policies/governance';

export type ImportState = 'pending' | 'running' | 'completed' | 'failed' | 'denied';
export type ImportMode = 'full' | 'delta';

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
  mode: ImportMode;
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

/** What the use cases need of an import row. */
export interface ImportRow {
  importId: string;
  orgId: string;
  audienceId: string;
  listId: string;
  dataSourceId: string;
  mode: ImportMode;
  state: ImportState;
  closed: boolean;
}

export const matchRateOf = (matched: number, unmatched: number): number => (matched + unmatched === 0 ? 0 : matched / (matched + unmatched));

export type Labels = DataUsageLabel[];
