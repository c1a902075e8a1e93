import type { DataUsageLabel } from '@audience-hub/contracts';
import type { ImportCounts, ImportState, ImportView, ReceivingRun, RecordedDecision } from '@audience-hub/contracts';

export type { ImportCounts, ImportState, ImportView, ReceivingRun, RecordedDecision };

export type ImportMode = 'full' | 'delta';

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
