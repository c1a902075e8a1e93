import { z } from 'zod';
import { EntityIdSchema } from '../ids.schema';
import { DateTimeSchema } from './chunk.schema';

export const ImsEventTypes = {
  imsTechnicalAccountRevoked: 'ims.technical-account.revoked',
  imsSigningKeyRotated: 'ims.signing-key.rotated',
  imsOrgCreated: 'ims.org.created',
} as const;

/** Announces an org to every service: events of orgs never announced are rejected. */
export const OrgCreatedDataSchema = z.object({
  orgId: z.string().regex(/^[0-9A-F]{24}@AdobeOrg$/, 'orgId must be 24 upper-case hex characters + @AdobeOrg'),
  name: z.string().min(1, 'name must not be empty').max(256, 'name must be at most 256 characters'),
  createdAt: DateTimeSchema,
});

export const TechnicalAccountRevokedDataSchema = z.object({
  technicalAccountId: EntityIdSchema,
  clientId: z.string().min(1, 'clientId must not be empty').max(256, 'clientId must be at most 256 characters'),
  // Present when only one client secret was revoked; absent when the whole account was.
  secretId: EntityIdSchema.optional(),
  revokedAt: DateTimeSchema,
});

const KidSchema = z.string().min(1, 'kid must not be empty').max(256, 'kid must be at most 256 characters');

export const SigningKeyRotatedDataSchema = z.object({
  kid: KidSchema.describe('the new signing key id'),
  previousKid: KidSchema.optional(),
  rotatedAt: DateTimeSchema,
});
