import type { z } from 'zod';
import type { DataSourceSchema, ExportControlSchema } from '@audience-hub/contracts';

/** A data source as id-reconciliation publishes it, without the reconciliation key (only idrec matches on it). */
export type DataSourceDefinition = Omit<z.infer<typeof DataSourceSchema>, 'reconciliationKey'>;
export type ExportControl = z.infer<typeof ExportControlSchema>;
