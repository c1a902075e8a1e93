import { z } from 'zod';
import type { BaseConfig } from '@audience-hub/platform';

/** audience-import's own variables, merged into the base configuration at start-up. */
export const importConfigSchema = z.object({
  /** Directory watched for Audience Manager outbound files, one sub-directory per IMS org. */
  IMPORT_INBOX_DIR: z.string().min(1).optional(),
  IMPORT_INBOX_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** Share of malformed lines past which a whole file is refused. */
  IMPORT_MAX_ERROR_RATIO: z.coerce.number().min(0).max(1).default(0.01),
  /** How long a request may take to arrive whole (an uploaded file arrives as fast as it is applied); 0: no limit. */
  IMPORT_UPLOAD_TIMEOUT_MS: z.coerce.number().int().min(0).default(3_600_000),
});

export type ImportConfig = BaseConfig & z.infer<typeof importConfigSchema>;
