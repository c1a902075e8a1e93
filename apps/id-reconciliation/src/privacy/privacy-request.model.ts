import { z } from 'zod';
import { MAX_PRIVACY_SUBJECTS, PrivacyRegulationSchema, PrivacyRequestTypeSchema, type PrivacyReceipt, type PrivacyRequestType } from '@audience-hub/contracts';

/** `recipientId`, `ecid`, `email`, or a declared data source's id (checked against the org's data sources). */
export const PrivacySubjectSchema = z
  .object({
    namespace: z.string().min(1).max(64),
    value: z.string().min(1).max(256),
  })
  .strict();
export type PrivacySubject = z.infer<typeof PrivacySubjectSchema>;

export const CreatePrivacyRequestSchema = z
  .object({
    regulation: PrivacyRegulationSchema,
    type: PrivacyRequestTypeSchema,
    subjects: z.array(PrivacySubjectSchema).min(1).max(MAX_PRIVACY_SUBJECTS, `at most ${MAX_PRIVACY_SUBJECTS} subjects per request`),
    dryRun: z.boolean().optional(),
  })
  .strict();
export type CreatePrivacyRequest = z.infer<typeof CreatePrivacyRequestSchema>;

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
