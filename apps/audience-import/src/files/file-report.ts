import type { FileReport, LineError } from '@audience-hub/contracts';

export type { FileReport, LineError };
export const MAX_REPORTED_ERRORS = 1000;

/** What became of a file taken from the inbox or a pickup location: its report, or why it was refused before any line was read. */
export type FileOutcome = FileReport | { name: string; state: 'refused'; reason: string };

/** How a file arrived: POST /v1/files, the inbox directory, or a pickup location. */
export type FileOrigin = 'upload' | 'inbox' | 'pickup';
