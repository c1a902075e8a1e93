import { z } from 'zod';
import type { BaseConfig } from '@audience-hub/platform';

/** audience-import's own variables, merged into the base configuration at start-up. */
export const importConfigSchema = z.object({
  /** Directory watched for Audience Manager outbound files, one sub-directory per IMS org. */
  IMPORT_INBOX_DIR: z.string().min(1).optional(),
  IMPORT_INBOX_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** Share of malformed lines past which a whole file is refused. */
  IMPORT_MAX_ERROR_RATIO: z.coerce.number().min(0).max(1).default(0.01),
  /**
   * The consumer group of id-reconciliation, whose rejections of a resolution request fail the
   * import. Default: this service's group with `audience-import` replaced by `id-reconciliation`.
   */
  IMPORT_RESOLVER_CONSUMER_GROUP: z.string().min(1).optional(),
});

/** Only the resolver's own rejections count: another deployment on the broker may refuse orgs it does not serve. */
export function resolverConsumerGroup(config: ImportConfig): string {
  return config.IMPORT_RESOLVER_CONSUMER_GROUP ?? config.KAFKA_CONSUMER_GROUP.replace(/audience-import$/, 'id-reconciliation');
}

export type ImportConfig = BaseConfig & z.infer<typeof importConfigSchema>;
