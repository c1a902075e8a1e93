import { z } from 'zod';
import { ORG_SCOPES } from '@audience-hub/auth';
import { CreatedTechnicalAccountSchema, ScopeListSchema } from '../accounts/accounts.schema';

export const CreateOrgSchema = z.object({
  name: z.string().trim().min(1).max(200),
  /**
   * Optional first admin account of the new org: admins manage only their own org, so a new org needs
   * one. By default it holds every org scope, not `ims.platform` (which the operator may grant explicitly).
   */
  adminAccount: z
    .object({
      name: z.string().trim().min(1).max(200),
      scopes: ScopeListSchema.default([...ORG_SCOPES]),
    })
    .optional(),
});

export const CreatedOrgSchema = z
  .object({ orgId: z.string().meta({ example: '0123456789ABCDEF01234567@AdobeOrg' }), adminAccount: CreatedTechnicalAccountSchema.optional() })
  .meta({ title: 'CreatedOrg' });
export type CreatedOrg = z.infer<typeof CreatedOrgSchema>;
