import { Inject } from '@nestjs/common';
import { z } from 'zod';
import { isImsOrgId } from '@audience-hub/contracts';
import { SERVICE_CONFIG, type BaseConfig } from '@audience-hub/platform';

const int = (fallback: number, min: number) => z.coerce.number().int().min(min).default(fallback);

/** audience-export's own variables, merged into the base configuration at start-up. */
export const audienceExportConfigSchema = z.object({
  /** Where Audience Manager inbound files go for data sources without a location of their own (EXPORT_DELIVERY_LOCATIONS); no files when neither is set. */
  EXPORT_FILE_SINK_DIR: z.string().min(1).optional(),
  /**
   * Delivery locations per data source, as JSON `{"<IMS org id>": {"<data source id>" or "*": "<location URL>"}}`
   * (`s3://…`, `sftp://…`, `file://…`; credentials in FILES_* variables, never in the URL).
   */
  EXPORT_DELIVERY_LOCATIONS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return {};
      try {
        return z.record(z.string().refine(isImsOrgId, 'keys must be IMS org ids'), z.record(z.string().min(1), z.string().url())).parse(JSON.parse(text));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `a JSON object {"<IMS org id>": {"<data source id>" or "*": "<location URL>"}}: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  /** Wait after a file's first failed delivery, doubling with each further one up to 5 minutes; retried until delivered. */
  EXPORT_DELIVERY_RETRY_BACKOFF_MS: int(1_000, 0),
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
