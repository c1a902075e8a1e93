import { z } from 'zod';
import { DataUsageLabelSchema } from '../ids.schema';
import { ExportModeSchema } from '../events/campaign-shared-audience-requests.schema';
import { MarketingActionSchema } from '../events/campaign-imports.schema';
import { SnapshotModeSchema } from '../events/xc-audiences.schema';
import { NormalizationStepSchema } from '../events/idrec-data-sources.schema';
import { MAX_PRIVACY_SUBJECTS, PrivacyRegulationSchema, PrivacyRequestTypeSchema } from '../events/hub-privacy.schema';

/*
 * What the services' REST routes answer, as zod schemas: the services document their responses
 * with them (docs/openapi/) and @audience-hub/client reads the inferred types, so the three cannot
 * drift apart. Timestamps are ISO 8601 strings.
 */

export type MarketingAction = z.infer<typeof MarketingActionSchema>;
export type SnapshotMode = z.infer<typeof SnapshotModeSchema>;
export type ExportMode = z.infer<typeof ExportModeSchema>;

/** Every list route: `?limit=&cursor=` (an opaque cursor), answered with the next cursor or null. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The schema of a page of `item`s, named `<name>Page` in the OpenAPI documents. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page' }),
    })
    .meta({ title: `${name}Page` });
}

/** `?limit=&cursor=` of the paged routes; pageRequest (libs/platform) checks the values. */
export const PageQuerySchema = z.object({
  limit: z.string().optional().meta({ description: 'Page size, an integer from 1 to 1000 (default 100)', example: '100' }),
  cursor: z.string().optional().meta({ description: 'The `nextCursor` of the previous page (opaque)' }),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

const at = z.string().meta({ format: 'date-time' });

// every service: readiness; ims: token validation

/** GET /health/ready of any service (503 with the same shape while a dependency is down). */
export const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'not-ready']),
    checks: z.record(z.string(), z.object({ status: z.enum(['up', 'down']), error: z.string().optional() })),
  })
  .meta({ title: 'Readiness', example: { status: 'ready', checks: { postgres: { status: 'up' }, kafka: { status: 'up' }, consumer: { status: 'up' } } } });
export type Readiness = z.infer<typeof ReadinessSchema>;

/** POST /ims/validate_token/v1: whether a token is valid now, and why not. */
export const TokenValidationSchema = z
  .object({
    valid: z.boolean(),
    claims: z.record(z.string(), z.unknown()).optional().meta({ description: 'The claims, when valid' }),
    reason: z.string().optional().meta({ description: 'Why not, when invalid: signature, expiry, issuer, audience, revocation' }),
  })
  .meta({ title: 'ValidationAnswer' });
export type TokenValidation = z.infer<typeof TokenValidationSchema>;

// audience-import

/** An audience an XC solution shares with the org. */
export const XcAudienceSchema = z
  .object({
    audienceId: z.string(),
    name: z.string(),
    solution: z.string(),
    labels: z.array(DataUsageLabelSchema),
    publishedAt: at,
    updatedAt: at,
    withdrawn: z.boolean(),
  })
  .meta({
    title: 'XcAudience',
    example: {
      audienceId: 'aud-1',
      name: 'Loyal buyers',
      solution: 'audience-manager',
      labels: ['C3'],
      publishedAt: '2026-12-06T10:00:00.000Z',
      updatedAt: '2026-12-06T10:00:00.000Z',
      withdrawn: false,
    },
  });
export type XcAudience = z.infer<typeof XcAudienceSchema>;

export const ImportStateSchema = z.enum(['pending', 'running', 'completed', 'failed', 'denied']);
export type ImportState = z.infer<typeof ImportStateSchema>;

export const ImportViewCountsSchema = z.object({
  received: z.number().int(),
  matched: z.number().int(),
  unmatched: z.number().int(),
  pending: z.number().int(),
  added: z.number().int(),
  removed: z.number().int(),
  /** Records with no usable id (wrong format for the data source), counted rather than dropped. */
  invalid: z.number().int().meta({ description: 'Records with no usable id (wrong format for the data source), counted rather than dropped' }),
});
export type ImportCounts = z.infer<typeof ImportViewCountsSchema>;

/** A governance policy of the org (or the default while it set none). */
export const PolicySchema = z
  .object({
    action: MarketingActionSchema,
    deniedLabels: z.array(DataUsageLabelSchema),
    /** `default` until the org sets its own. */
    source: z.enum(['default', 'org']),
  })
  .meta({ title: 'Policy', example: { action: 'import-into-campaign', deniedLabels: ['C3', 'C12'], source: 'default' } });
export type Policy = z.infer<typeof PolicySchema>;

/** A governance decision on an import. */
export const DecisionSchema = z.object({
  action: MarketingActionSchema,
  /** What decided: `<default|org>:<action>` or `export-control:<control>`. */
  policy: z.string().meta({ description: 'What decided: `<default|org>:<action>` or `export-control:<control>`' }),
  /** The labels that forbade it when denied; the labels considered when allowed. */
  labels: z.array(DataUsageLabelSchema),
  allowed: z.boolean(),
  reason: z.string().optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const RecordedDecisionSchema = DecisionSchema.extend({ at }).meta({ title: 'RecordedDecision' });
export type RecordedDecision = z.infer<typeof RecordedDecisionSchema>;

/** A snapshot still arriving: parts so far (lastPart known once its last chunk came) and its ids resolved so far. */
export const ReceivingRunSchema = z.object({
  partsReceived: z.number().int(),
  lastPart: z.number().int().nullable(),
  received: z.number().int(),
  matched: z.number().int(),
  unmatched: z.number().int(),
  startedAt: at,
});
export type ReceivingRun = z.infer<typeof ReceivingRunSchema>;

/** An import job as the REST API shows it (DESIGN 4b plus what explains it). */
export const ImportViewSchema = z
  .object({
    id: z.string(),
    state: ImportStateSchema,
    audienceId: z.string(),
    listId: z.string(),
    listLabel: z.string().nullable(),
    dataSourceId: z.string(),
    mode: SnapshotModeSchema,
    /** Of the last snapshot applied, plus late reconciliation since; `pending` is live. */
    counts: ImportViewCountsSchema,
    matchRate: z.number(),
    decision: RecordedDecisionSchema.nullable(),
    reason: z.string().nullable(),
    /** Snapshots applied so far. */
    snapshots: z.number().int(),
    /** Of the counts, members added by late reconciliation since the last snapshot. */
    lateMatched: z.number().int(),
    /** The snapshot being received now (parts so far, how its ids resolved), or null between snapshots. */
    receiving: ReceivingRunSchema.nullable(),
    createdAt: at,
    updatedAt: at,
  })
  .meta({ title: 'ImportView' });
export type ImportView = z.infer<typeof ImportViewSchema>;

export const LineErrorSchema = z.object({ line: z.number().int(), reason: z.string() });
export type LineError = z.infer<typeof LineErrorSchema>;

/** What a file (or snapshot) does to one import's list: recipients added and removed, and how its ids resolved. */
export const ImportEffectSchema = z.object({
  importId: z.string(),
  listId: z.string(),
  added: z.number().int(),
  removed: z.number().int(),
  matched: z.number().int(),
  unmatched: z.number().int(),
  matchRate: z.number(),
});
export type ImportEffect = z.infer<typeof ImportEffectSchema>;

/** What became of one outbound file (POST /v1/files answer, and the report beside a watched or picked-up file). */
export const FileReportSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    state: z.enum(['applied', 'refused']),
    lines: z.number().int(),
    /** Lines applied: every good line, or 0 when the file was refused. */
    applied: z.number().int(),
    errorCount: z.number().int(),
    /** The first malformed lines (at most 1,000), with their line numbers. */
    errors: z.array(LineErrorSchema),
    reason: z.string().optional(),
    receivedAt: at.optional(),
    /** True when this file name was applied before: nothing was done again. */
    duplicate: z.boolean().optional(),
    /** A dry run: what the file would do to each import of the audiences it names; nothing was written. */
    dryRun: z.literal(true).optional(),
    effects: z.array(ImportEffectSchema).optional(),
  })
  .meta({ title: 'FileReport' });
export type FileReport = z.infer<typeof FileReportSchema>;

/**
 * What the audience's last received full snapshot would do if it arrived again now (POST
 * /v1/imports/dry-run): its ids resolved through the identity replica as it is now, against each
 * open import's list as it is now. Nothing was written.
 */
export const SnapshotDryRunSchema = z
  .object({
    dryRun: z.literal(true),
    audienceId: z.string(),
    /** The snapshot kept: `xc:<snapshotId>` or `file:<fileId>`, its id type, ids as received and when it was complete. */
    snapshot: z.object({
      key: z.string(),
      idType: z.enum(['visitor', 'declared']),
      dataSourceId: z.string().nullable(),
      ids: z.number().int(),
      parts: z.number().int(),
      receivedAt: z.string(),
    }),
    effects: z.array(ImportEffectSchema),
  })
  .meta({ title: 'SnapshotDryRun' });
export type SnapshotDryRun = z.infer<typeof SnapshotDryRunSchema>;

// id-reconciliation

/** A data source as stored and as answered by the API. */
export const DataSourceViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    idType: z.enum(['visitor', 'declared']),
    integrationCode: z.string(),
    builtIn: z.boolean(),
    reconciliationKey: z.object({ attribute: z.string(), normalization: z.array(NormalizationStepSchema) }).optional(),
    exportControls: z.array(z.string()),
    xcDataSourceId: z.string().optional(),
    destinationId: z.string().optional(),
    createdAt: at,
    updatedAt: at,
  })
  .meta({ title: 'DataSourceView' });
export type DataSourceView = z.infer<typeof DataSourceViewSchema>;

export const DataSourceStatsSchema = z
  .object({
    dataSourceId: z.string(),
    recipientsWithKeyValue: z.number().int(),
    recipientsWithVisitorLink: z.number().int(),
    linksAddedLastDay: z.number().int(),
  })
  .meta({ title: 'DataSourceStats', example: { dataSourceId: 'crm', recipientsWithKeyValue: 120000, recipientsWithVisitorLink: 80000, linksAddedLastDay: 1500 } });
export type DataSourceStats = z.infer<typeof DataSourceStatsSchema>;

// id-reconciliation: privacy requests

/** A subject: `recipientId`, `ecid`, `email`, or a declared data source's id (checked against the org's data sources). */
export const PrivacySubjectSchema = z
  .object({
    namespace: z.string().min(1).max(64),
    value: z.string().min(1).max(256),
  })
  .strict();
export type PrivacySubject = z.infer<typeof PrivacySubjectSchema>;

/** The body of POST /v1/privacy/requests. */
export const CreatePrivacyRequestSchema = z
  .object({
    regulation: PrivacyRegulationSchema,
    type: PrivacyRequestTypeSchema,
    subjects: z.array(PrivacySubjectSchema).min(1).max(MAX_PRIVACY_SUBJECTS, `at most ${MAX_PRIVACY_SUBJECTS} subjects per request`),
    dryRun: z.boolean().optional(),
  })
  .strict();
export type CreatePrivacyRequest = z.infer<typeof CreatePrivacyRequestSchema>;

export const PrivacyRequestViewSchema = z
  .object({
    requestId: z.string(),
    regulation: PrivacyRegulationSchema,
    type: PrivacyRequestTypeSchema,
    dryRun: z.boolean(),
    status: z.enum(['pending', 'completed', 'partial']),
    identifierHashes: z.array(z.string()).meta({ description: 'sha256 of each identifier the request covered, as `<namespace>:<value>`' }),
    requestedAt: z.string().meta({ format: 'date-time' }),
    finishedAt: z.string().meta({ format: 'date-time' }).optional(),
    receipts: z.array(
      z.object({
        service: z.string(),
        outcome: z.enum(['completed', 'failed']),
        counts: z.record(z.string(), z.number()).optional(),
        document: z.record(z.string(), z.unknown()).optional(),
        sharedAudienceIds: z.array(z.string()).optional(),
        reason: z.string().optional(),
        receivedAt: z.string().meta({ format: 'date-time' }),
      }),
    ),
    document: z.record(z.string(), z.unknown()).optional().meta({ description: 'access: everything held for the subject, per service and table' }),
    duplicate: z.boolean().optional(),
  })
  .meta({ title: 'PrivacyRequest' });
export type PrivacyRequestView = z.infer<typeof PrivacyRequestViewSchema>;

// audience-export

export const SharedAudienceViewSchema = z
  .object({
    id: z.string(),
    segmentName: z.string(),
    /** The Audience Manager segment id used in inbound files (`d_sid=<segmentId>`). */
    segmentId: z.number().int().meta({ description: 'The Audience Manager segment id used in inbound files (`d_sid=<segmentId>`)' }),
    dataSourceId: z.string(),
    /** Last exported version; 0 before the first export. */
    version: z.number().int().meta({ description: 'Last exported version; 0 before the first export' }),
    createdAt: at,
  })
  .meta({
    title: 'SharedAudienceView',
    example: { id: 'sa-1', segmentName: 'Newsletter buyers', segmentId: 1001, dataSourceId: 'crm', version: 3, createdAt: '2026-12-06T10:00:00.000Z' },
  });
export type SharedAudienceView = z.infer<typeof SharedAudienceViewSchema>;

export const UpdateStateSchema = z.enum(['pending', 'running', 'completed', 'failed', 'denied']);
export type UpdateState = z.infer<typeof UpdateStateSchema>;

export const UpdateCountsSchema = z.object({
  /** Ids the shared audience holds after the run. */
  exported: z.number().int(),
  added: z.number().int(),
  removed: z.number().int(),
  /** The list's recipients with no id for the data source. */
  unmapped: z.number().int(),
});
export type UpdateCounts = z.infer<typeof UpdateCountsSchema>;

/** A governance decision on sharing a list with XC. */
export const ShareDecisionSchema = z.object({
  action: z.literal('share-to-experience-cloud'),
  policy: z.string(),
  labels: z.array(z.string()),
  controls: z.array(z.string()),
  allowed: z.boolean(),
});
export type GovernanceDecision = z.infer<typeof ShareDecisionSchema>;

/** Where one inbound file of an update went. */
export const FileDeliverySchema = z.object({
  name: z.string(),
  location: z.string().nullable(),
  state: z.enum(['pending', 'delivered']),
  attempts: z.number().int(),
  lastError: z.string().optional(),
  deliveredAt: at.optional(),
});
export type FileDelivery = z.infer<typeof FileDeliverySchema>;

/** What GET .../updates/{updateId} answers. */
export const UpdateViewSchema = z
  .object({
    id: z.string(),
    sharedAudienceId: z.string(),
    listId: z.string(),
    mode: ExportModeSchema,
    requestId: z.string().optional(),
    state: UpdateStateSchema,
    version: z.number().int().nullable(),
    counts: UpdateCountsSchema,
    decisions: z.array(ShareDecisionSchema),
    reason: z.string().optional(),
    /** Names of the run's inbound files. */
    files: z.array(z.string()),
    /** Where each file went: its location, delivered or pending, attempts and last error while it fails. */
    deliveries: z.array(FileDeliverySchema),
    createdAt: at,
    startedAt: at.nullable(),
    finishedAt: at.nullable(),
  })
  .meta({ title: 'UpdateView' });
export type UpdateView = z.infer<typeof UpdateViewSchema>;

/** What an update would do now (`dryRun: true` on POST .../updates): nothing was written. */
export const UpdateDryRunSchema = z
  .object({
    dryRun: z.literal(true),
    /** `completed` (its counts say what it would add and remove), or `denied` / `failed` with the reason. */
    state: UpdateStateSchema,
    counts: UpdateCountsSchema,
    decisions: z.array(ShareDecisionSchema),
    reason: z.string().optional(),
  })
  .meta({ title: 'UpdateDryRun' });
export type UpdateDryRun = z.infer<typeof UpdateDryRunSchema>;

// dead letters (id-reconciliation, audience-import, audience-export: each its own consumer group's)

/** A dead letter as the API shows it; `id` is its place in hub.dead-letter.v1, `<partition>-<offset>`. */
export const DeadLetterViewSchema = z
  .object({
    id: z.string().meta({ description: 'Its place in hub.dead-letter.v1: `<partition>-<offset>`', example: '0-42' }),
    /** The topic it was consumed from, its partition and offset there. */
    topic: z.string(),
    partition: z.number().int(),
    offset: z.string(),
    reason: z.string(),
    /** The first of the errors, or the reason when the service listed none. */
    firstError: z.string(),
    attempts: z.number().int(),
    eventId: z.string().nullable(),
    eventType: z.string().nullable(),
    deadLetteredAt: at,
  })
  .meta({ title: 'DeadLetterView' });
export type DeadLetterView = z.infer<typeof DeadLetterViewSchema>;

export const DeadLetterDetailSchema = DeadLetterViewSchema.extend({
  errors: z.array(z.string()),
  /** The original message: key, value (parsed when JSON) and its own headers. */
  key: z.string().nullable(),
  event: z.unknown(),
  headers: z.record(z.string(), z.string()),
}).meta({ title: 'DeadLetterDetail' });
export type DeadLetterDetail = z.infer<typeof DeadLetterDetailSchema>;

/** Import and update states (the same set) after which nothing more happens. */
export const FINAL_STATES: ReadonlySet<string> = new Set<ImportState>(['completed', 'failed', 'denied']);
