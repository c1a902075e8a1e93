import { z } from 'zod';
import { isImsOrgId } from '@audience-hub/contracts';
import type { BaseConfig } from '@audience-hub/platform';

/** audience-import's own variables, merged into the base configuration at start-up. */
export const importConfigSchema = z.object({
  /** Directory watched for Audience Manager outbound files, one sub-directory per IMS org. */
  IMPORT_INBOX_DIR: z.string().min(1).optional(),
  IMPORT_INBOX_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /**
   * Pickup locations, one per IMS org, as a JSON object `{"<org id>": "<location URL>"}`
   * (`s3://…`, `sftp://…`, `file://…`; credentials in FILES_* variables, never in the URL).
   */
  IMPORT_PICKUP_LOCATIONS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return {};
      try {
        return z.record(z.string().refine(isImsOrgId, 'keys must be IMS org ids'), z.string().url()).parse(JSON.parse(text));
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `a JSON object {"<IMS org id>": "<location URL>"}: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  IMPORT_PICKUP_POLL_MS: z.coerce.number().int().min(50).default(10_000),
  /** Hours a file stays in processed/ or rejected/ (they hold personal identifiers) before it is deleted. */
  IMPORT_PICKUP_RETENTION_HOURS: z.coerce.number().min(0).default(168),
  /** Share of malformed lines past which a whole file is refused. */
  IMPORT_MAX_ERROR_RATIO: z.coerce.number().min(0).max(1).default(0.01),
  /** How long a request may take to arrive whole (an uploaded file arrives as fast as it is applied); 0: no limit. */
  IMPORT_UPLOAD_TIMEOUT_MS: z.coerce.number().int().min(0).default(3_600_000),
});

export type ImportConfig = BaseConfig & z.infer<typeof importConfigSchema>;
