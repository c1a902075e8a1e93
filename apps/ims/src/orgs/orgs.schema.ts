import { z } from 'zod';
import { ALL_SCOPES } from '@audience-hub/auth';
import { ScopeListSchema } from '../accounts/accounts.schema';
import type { CreatedTechnicalAccount } from '../accounts/accounts.schema';

export const CreateOrgSchema = z.object({
  name: z.string().trim().min(1).max(200),
  /** Optional first admin account of the new org: admins manage only their own org, so a new org needs one. */
  adminAccount: z
    .object({
      name: z.string().trim().min(1).max(200),
      scopes: ScopeListSchema.default([...ALL_SCOPES]),
    })
    .optional(),
});

export interface CreatedOrg {
  orgId: string;
  adminAccount?: CreatedTechnicalAccount;
}
