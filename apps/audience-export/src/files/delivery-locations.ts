import { pathToFileURL } from 'node:url';
import type { AudienceExportConfig } from '../config';

/**
 * The location a data source's inbound files go to: its own in EXPORT_DELIVERY_LOCATIONS, else
 * its org's `*`, else EXPORT_FILE_SINK_DIR as a file:// URL (today's sink directory); undefined:
 * no files for it.
 */
export function deliveryLocationOf(
  config: Pick<AudienceExportConfig, 'EXPORT_DELIVERY_LOCATIONS' | 'EXPORT_FILE_SINK_DIR'>,
  orgId: string,
  dataSourceId: string,
): string | undefined {
  const ofOrg = config.EXPORT_DELIVERY_LOCATIONS?.[orgId];
  return ofOrg?.[dataSourceId] ?? ofOrg?.['*'] ?? sinkLocation(config);
}

/** EXPORT_FILE_SINK_DIR as a location URL (files planned before locations existed go there too). */
export function sinkLocation(config: Pick<AudienceExportConfig, 'EXPORT_FILE_SINK_DIR'>): string | undefined {
  return config.EXPORT_FILE_SINK_DIR ? pathToFileURL(config.EXPORT_FILE_SINK_DIR).toString() : undefined;
}
