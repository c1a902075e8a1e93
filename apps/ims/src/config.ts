import { z } from 'zod';
import { IdMessages, IMS_ORG_ID_PATTERN } from '@audience-hub/contracts';
import type { BaseConfig } from '@audience-hub/platform';

const int = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(fallback);
/** Unset and empty mean the same (shell scripts pass `X=` for "none"). */
const optional = <S extends z.ZodType>(schema: S) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._-]{3,64}$/;

/** IMS variables, merged into the base configuration by runService. */
export const imsConfigSchema = z.object({
  IMS_AUDIENCE: z.string().min(1).default('audience-hub'),
  IMS_TOKEN_TTL_SECONDS: int(86_400, 60, 7 * 86_400),
  IMS_TOKEN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: int(120, 1),
  IMS_SIGNING_ALG: z.enum(['ES256', 'RS256']).default('ES256'),
  // Sensitive: messages never echo the value.
  IMS_MASTER_KEY: z
    .string({ error: 'is required: 32 random bytes, base64 or hex (e.g. `openssl rand -base64 32`)' })
    .refine((value) => tryParseMasterKey(value) !== undefined, 'must be 32 bytes, base64 or hex encoded'),
  IMS_BOOTSTRAP_ORG_NAME: z.string().min(1).max(200).default('Default org'),
  IMS_BOOTSTRAP_ORG_ID: optional(z.string().regex(IMS_ORG_ID_PATTERN, IdMessages.imsOrgId)),
  IMS_BOOTSTRAP_CLIENT_ID: optional(z.string().regex(CLIENT_ID_PATTERN, 'must be 3..64 of A-Z a-z 0-9 . _ -')),
  IMS_BOOTSTRAP_CLIENT_SECRET: optional(z.string().min(16, 'must be at least 16 characters').max(256)),
});

export type ImsConfig = BaseConfig & z.infer<typeof imsConfigSchema>;

/** The master key as 32 bytes, from 64 hex digits or base64 (standard or url-safe). */
export function tryParseMasterKey(value: string): Buffer | undefined {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

export function parseMasterKey(value: string): Buffer {
  const key = tryParseMasterKey(value);
  if (!key) throw new Error('IMS_MASTER_KEY must be 32 bytes, base64 or hex encoded');
  return key;
}
