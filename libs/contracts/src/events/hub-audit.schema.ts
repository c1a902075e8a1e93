import { z } from 'zod';
import { EntityIdSchema, ImsOrgIdSchema } from '../ids.schema';
import { DateTimeSchema } from './chunk.schema';

export const HubAuditEventTypes = {
  hubAuditRecorded: 'hub.audit.recorded',
} as const;

/**
 * Every privileged action a service records in its audit trail: a closed set, so a SIEM can alert
 * on names it knows.
 */
export const AuditActions = {
  orgCreate: 'ims.org.create',
  technicalAccountCreate: 'ims.technical-account.create',
  technicalAccountRevoke: 'ims.technical-account.revoke',
  secretAdd: 'ims.secret.add',
  secretRemove: 'ims.secret.remove',
  signingKeysRotate: 'ims.signing-keys.rotate',
  policiesReplace: 'governance.policies.replace',
  dataSourceCreate: 'data-source.create',
  dataSourceUpdate: 'data-source.update',
  dataSourceDelete: 'data-source.delete',
  deadLettersRedrive: 'dead-letters.redrive',
  privacyRequestCreate: 'privacy.request.create',
} as const;

export const AuditActionSchema = z.enum(Object.values(AuditActions) as [AuditAction, ...AuditAction[]], {
  error: `action must be one of ${Object.values(AuditActions).join(', ')}`,
});
export type AuditAction = (typeof AuditActions)[keyof typeof AuditActions];

/** Actions on the whole platform rather than one org: their records carry no org (`orgId: null`). */
export const PLATFORM_AUDIT_ACTIONS: readonly AuditAction[] = [AuditActions.orgCreate, AuditActions.signingKeysRotate];

/**
 * The org id a platform record's CloudEvent carries (the envelope needs one); the same "no tenant"
 * org the IMS's signing-key events use.
 */
export const PLATFORM_ORG_ID = '000000000000000000000000@AdobeOrg';

export const AuditOutcomeSchema = z.enum(['succeeded', 'denied', 'failed'], { error: 'outcome must be succeeded, denied or failed' });
export type AuditOutcome = z.infer<typeof AuditOutcomeSchema>;

const KidSchema = z.string().min(1).max(256);

/** What an action was done to: ids only, never a secret, a token or a person's identifiers. */
export const AuditTargetSchema = z
  .object({
    orgId: ImsOrgIdSchema.optional(),
    technicalAccountId: EntityIdSchema.optional(),
    secretId: EntityIdSchema.optional(),
    kid: KidSchema.optional(),
    previousKid: KidSchema.optional(),
    dataSourceId: EntityIdSchema.optional(),
    /** Dead letters (`<partition>-<offset>` on hub.dead-letter.v1) sent back to their topics. */
    deadLetterIds: z
      .array(z.string().regex(/^\d{1,9}-\d{1,19}$/))
      .max(10_000)
      .optional(),
    /** A privacy request: its id only, never the subjects' identifiers. */
    privacyRequestId: z
      .string()
      .regex(/^prv-[0-9a-f]{24}$/)
      .optional(),
  })
  .strict();
export type AuditTarget = z.infer<typeof AuditTargetSchema>;

export const AuditRecordedDataSchema = z.object({
  auditId: z.uuid(),
  action: AuditActionSchema,
  outcome: AuditOutcomeSchema,
  /** The org the action concerns; null for platform actions (PLATFORM_AUDIT_ACTIONS). */
  orgId: ImsOrgIdSchema.nullable(),
  actor: z.object({
    clientId: z.string().min(1).max(256),
    orgId: ImsOrgIdSchema,
  }),
  target: AuditTargetSchema,
  occurredAt: DateTimeSchema,
  traceId: z.string().regex(/^[0-9a-f]{32}$/, 'traceId must be 32 lower-case hex characters (W3C trace id)'),
  /** Why a denied or failed attempt did not happen: the problem type's name, e.g. `insufficient-scope`. */
  reason: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, 'reason must be a problem type name')
    .optional(),
  service: z.enum(['ims', 'id-reconciliation', 'audience-import', 'audience-export']),
});
export type AuditRecord = z.infer<typeof AuditRecordedDataSchema>;
