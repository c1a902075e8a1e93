import type { z } from 'zod';
import type { DataSourceSchema, ExportControlSchema, IdType } from '@audience-hub/contracts';

export type { IdType };
export type ExportControl = z.infer<typeof ExportControlSchema>;
/** A data source as id-reconciliation defines it (without the reconciliation key, which export never needs). */
export type DataSourceDefinition = Omit<z.infer<typeof DataSourceSchema>, 'reconciliationKey'>;
