import { Inject } from '@nestjs/common';
import { z } from 'zod';
import { SERVICE_CONFIG, type BaseConfig } from '@audience-hub/platform';

const int = (fallback: number, min: number) => z.coerce.number().int().min(min).default(fallback);

/** audience-export's own variables, merged into the base configuration at start-up. */
export const audienceExportConfigSchema = z.object({
  /** Where Audience Manager inbound files go; no files are written when unset. */
  EXPORT_FILE_SINK_DIR: z.string().min(1).optional(),
  /** Most lines in one inbound file; a larger change is split (`.1.gz`, `.2.gz`, ...). */
  EXPORT_FILE_MAX_LINES: int(5_000_000, 1),
  /** Fallback poll of the update runner when no NOTIFY arrives. */
  EXPORT_RUNNER_POLL_MS: int(1_000, 10),
  /** Attempts of an update's step (start, final step) that keeps failing before the update fails; a database outage is no attempt. */
  EXPORT_STEP_MAX_ATTEMPTS: int(5, 1),
  /** Wait after a step's first failed attempt, doubling with each further one up to a minute. */
  EXPORT_STEP_RETRY_BACKOFF_MS: int(1_000, 0),
});

export type AudienceExportConfig = BaseConfig & z.infer<typeof audienceExportConfigSchema>;

/** Injects the parsed configuration. */
export const InjectConfig = () => Inject(SERVICE_CONFIG);
