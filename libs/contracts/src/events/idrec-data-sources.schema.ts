import { z } from 'zod';
import { EntityIdSchema, IdTypeSchema } from '../ids.schema';

export const IdrecDataSourceEventTypes = {
  idrecDataSourceUpserted: 'idrec.data-source.upserted',
  idrecDataSourceDeleted: 'idrec.data-source.deleted',
} as const;

export const NormalizationStepSchema = z.enum(['trim', 'lowercase', 'sha256'], { error: 'normalization steps are trim, lowercase, sha256' });

/** Data-export controls that forbid some uses of a data source's ids (DESIGN section 5). */
export const ExportControlSchema = z.enum(['cannot-be-tied-to-pii', 'no-onsite-targeting', 'no-offsite-targeting', 'no-export-to-xc'], {
  error: 'export controls are cannot-be-tied-to-pii, no-onsite-targeting, no-offsite-targeting, no-export-to-xc',
});

export const DataSourceSchema = z.object({
  dataSourceId: EntityIdSchema,
  name: z.string().min(1).max(256),
  idType: IdTypeSchema,
  integrationCode: z.string().min(1).max(256),
  builtIn: z.boolean(),
  reconciliationKey: z
    .object({ attribute: z.string().min(1).max(128), normalization: z.array(NormalizationStepSchema) })
    .optional()
    .describe('declared data sources: the recipient attribute matched and how both sides are normalised'),
  exportControls: z.array(ExportControlSchema),
  xcDataSourceId: z.string().min(1).max(64).optional().describe('Audience Manager data source id (DPID), for file names'),
  destinationId: z.string().min(1).max(64).optional(),
});

/** The whole current definition; the topic is compacted by key, so the latest one per data source stays. */
export const DataSourceUpsertedDataSchema = DataSourceSchema;

export const DataSourceDeletedDataSchema = z.object({ dataSourceId: EntityIdSchema });
