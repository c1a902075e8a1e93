import { z } from 'zod';
import { ExportControlSchema, NormalizationStepSchema } from '@audience-hub/contracts';
import type { DataSourceView } from '@audience-hub/contracts';

/** A data source as stored and as answered by the API. */
export type DataSourceModel = DataSourceView;

export const BUILT_IN_VISITOR_ID = 'visitor';

const ReconciliationKeySchema = z.object({
  attribute: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'attribute must be a recipient attribute name'),
  normalization: z.array(NormalizationStepSchema).default([]),
});

export const CreateDataSourceSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'id must be 1..64 of [A-Za-z0-9._-]')
      .optional(),
    name: z.string().min(1).max(256),
    idType: z.literal('declared', { error: 'only declared data sources can be created; every org has the built-in visitor one' }),
    integrationCode: z.string().min(1).max(256),
    reconciliationKey: ReconciliationKeySchema,
    exportControls: z.array(ExportControlSchema).default([]),
    xcDataSourceId: z
      .string()
      .regex(/^[0-9]{1,20}$/, 'xcDataSourceId is a numeric Audience Manager data source id')
      .optional(),
    destinationId: z.string().min(1).max(64).optional(),
  })
  .strict();

export const UpdateDataSourceSchema = z
  .object({
    name: z.string().min(1).max(256).optional(),
    integrationCode: z.string().min(1).max(256).optional(),
    reconciliationKey: ReconciliationKeySchema.optional(),
    exportControls: z.array(ExportControlSchema).optional(),
    xcDataSourceId: z
      .string()
      .regex(/^[0-9]{1,20}$/)
      .nullable()
      .optional(),
    destinationId: z.string().min(1).max(64).nullable().optional(),
  })
  .strict();

export type CreateDataSource = z.infer<typeof CreateDataSourceSchema>;
export type UpdateDataSource = z.infer<typeof UpdateDataSourceSchema>;
