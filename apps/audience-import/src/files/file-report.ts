export interface LineError {
  line: number;
  reason: string;
}

/** What became of one outbound file (POST /v1/files answer, and the report beside a watched file). */
export interface FileReport {
  id: string;
  name: string;
  state: 'applied' | 'refused';
  lines: number;
  /** Lines applied: every good line, or 0 when the file was refused. */
  applied: number;
  errorCount: number;
  /** The first MAX_REPORTED_ERRORS malformed lines, with their line numbers. */
  errors: LineError[];
  reason?: string;
  receivedAt?: string;
  /** True when this file name was applied before: nothing was done again. */
  duplicate?: boolean;
}

export const MAX_REPORTED_ERRORS = 1000;

/** What became of a file taken from the inbox or a pickup location: its report, or why it was refused before any line was read. */
export type FileOutcome = FileReport | { name: string; state: 'refused'; reason: string };

/** How a file arrived: POST /v1/files, the inbox directory, or a pickup location. */
export type FileOrigin = 'upload' | 'inbox' | 'pickup';
