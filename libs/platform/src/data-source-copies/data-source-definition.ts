import type { z } from 'zod';
import type { DataSourceSchema, ExportControlSchema, NormalizationStep } from '@audience-hub/contracts';

/**
 * A data source as id-reconciliation publishes it; of its reconciliation key only the
 * normalisation (which XC's declared ids need before matching), empty for visitor sources.
 */
export type DataSourceDefinition = Omit<z.infer<typeof DataSourceSchema>, 'reconciliationKey'> & { normalization: NormalizationStep[] };

/** What idrec.data-source.upserted carries. */
export type PublishedDataSource = z.infer<typeof DataSourceSchema>;
export type ExportControl = z.infer<typeof ExportControlSchema>;
