import type { PrivacyReceipt, PrivacyRequestType } from '@audience-hub/contracts';

export type PrivacyStatus = 'pending' | 'completed' | 'partial';

export interface PrivacyReceiptModel {
  service: PrivacyReceipt['service'];
  outcome: 'completed' | 'failed';
  counts?: Record<string, number>;
  /** access: what the service holds for the subject, per table. */
  document?: Record<string, unknown>;
  sharedAudienceIds?: string[];
  reason?: string;
  receivedAt: string;
}

export interface PrivacyRequestModel {
  requestId: string;
  regulation: string;
  type: PrivacyRequestType;
  dryRun: boolean;
  status: PrivacyStatus;
  /** sha256 of each identifier the request covered, as `<namespace>:<value>`. */
  identifierHashes: string[];
  requestedAt: string;
  finishedAt?: string;
  receipts: PrivacyReceiptModel[];
  /** access: everything held for the subject, per service and table, assembled from the receipts. */
  document?: Record<string, unknown>;
  duplicate?: boolean;
}
