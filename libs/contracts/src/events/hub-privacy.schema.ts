import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CountSchema, DateTimeSchema } from './chunk.schema';
import { EcidSchema, EntityIdSchema } from '../ids.schema';

/**
 * Privacy requests (GDPR, CCPA, LGPD, PDPA) on `hub.privacy.v1`: id-reconciliation, which owns the
 * identity graph, expands each subject to every linked identifier and fans the work out to every
 * service (`hub.privacy.requested`); each service acts in its own schema and answers with a receipt
 * (`hub.privacy.receipt`). The fan-out carries identifiers in clear, since the services need them
 * to find the rows: the topic is compacted with a short retention, and once a request is finished
 * id-reconciliation tombstones its key.
 */
export const HubPrivacyEventTypes = {
  hubPrivacyRequested: 'hub.privacy.requested',
  hubPrivacyReceipt: 'hub.privacy.receipt',
} as const;

export const PRIVACY_REQUEST_TYPES = ['access', 'delete', 'suppress', 'unsuppress'] as const;
export const PrivacyRequestTypeSchema = z.enum(PRIVACY_REQUEST_TYPES, { error: `type must be one of ${PRIVACY_REQUEST_TYPES.join(', ')}` });
export type PrivacyRequestType = z.infer<typeof PrivacyRequestTypeSchema>;

export const PRIVACY_REGULATIONS = ['gdpr', 'ccpa', 'lgpd', 'pdpa'] as const;
export const PrivacyRegulationSchema = z.enum(PRIVACY_REGULATIONS, { error: `regulation must be one of ${PRIVACY_REGULATIONS.join(', ')}` });

/** The services that answer every privacy request with a receipt. */
export const PRIVACY_SERVICES = ['ims', 'id-reconciliation', 'audience-import', 'audience-export'] as const;
export const PrivacyServiceSchema = z.enum(PRIVACY_SERVICES);
export type PrivacyService = z.infer<typeof PrivacyServiceSchema>;

export const MAX_PRIVACY_SUBJECTS = 1000;

/** A request id: `prv-` and 24 hex characters. */
export const PrivacyRequestIdSchema = z.string().regex(/^prv-[0-9a-f]{24}$/, 'must be a privacy request id (prv- and 24 hex characters)');

/** Everything the identity graph links to the subjects, history included: what each service looks for. */
export const PrivacyIdentifiersSchema = z.object({
  recipientIds: z.array(EntityIdSchema).describe('the recipients'),
  ecids: z.array(EcidSchema).describe('every ECID linked or ever observed with them'),
  declaredIds: z.array(z.object({ dataSourceId: EntityIdSchema, declaredId: z.string().min(1).max(256) })).describe('their declared ids, normalised, per data source'),
});
export type PrivacyIdentifiers = z.infer<typeof PrivacyIdentifiersSchema>;

export const PrivacyRequestedDataSchema = z.object({
  requestId: PrivacyRequestIdSchema,
  type: PrivacyRequestTypeSchema,
  dryRun: z.boolean().describe('count what would be done, change nothing'),
  identifiers: PrivacyIdentifiersSchema,
  /** sha256 hex of each identifier, `<kind>:<value>` (the suppression list's and the request record's form). */
  hashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
  requestedAt: DateTimeSchema,
});
export type PrivacyRequested = z.infer<typeof PrivacyRequestedDataSchema>;

export const PrivacyReceiptDataSchema = z.union([
  z.object({
    service: PrivacyServiceSchema,
    requestId: PrivacyRequestIdSchema,
    /** Rows deleted (or, for a dry run or access, found) per table of the service's schema. */
    counts: z.record(z.string(), CountSchema),
    /** Shared audiences that received removals for the subject (audience-export). */
    sharedAudienceIds: z.array(EntityIdSchema).optional(),
    /** access: what the service holds for the subject, per table. */
    document: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).optional(),
    completedAt: DateTimeSchema,
  }),
  z.object({
    service: PrivacyServiceSchema,
    requestId: PrivacyRequestIdSchema,
    failed: z.literal(true),
    reason: z.string().min(1).max(1000),
    failedAt: DateTimeSchema,
  }),
]);
export type PrivacyReceipt = z.infer<typeof PrivacyReceiptDataSchema>;

/** A receipt's aggregate id: one per request and service, so the topic keeps each service's latest answer. */
export const privacyReceiptAggregateId = (requestId: string, service: PrivacyService): string => `${requestId}/${service}`;

/** Every identifier of an expansion as it may appear in a row or a message, whatever its kind. */
export const clearIdentifiersOf = (identifiers: PrivacyIdentifiers): string[] => [
  ...identifiers.recipientIds,
  ...identifiers.ecids,
  ...identifiers.declaredIds.map((d) => d.declaredId),
];

/** How an identifier is recorded and suppressed: sha256 of `<namespace>:<value>`, never the value. */
export const identifierHash = (namespace: string, value: string): string => createHash('sha256').update(`${namespace}:${value}`, 'utf8').digest('hex');

/** The namespace of an XC id of a data source in hashes: `ecid` for visitor ids, else the data source's id. */
export const idNamespaceOf = (dataSourceId: string, idType: 'visitor' | 'declared'): string => (idType === 'visitor' ? 'ecid' : dataSourceId);
