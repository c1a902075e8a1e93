import { z } from 'zod';
import { ALL_SCOPES, type Scope } from '@audience-hub/auth';

export const ScopeListSchema = z
  .array(z.enum(ALL_SCOPES as [Scope, ...Scope[]]))
  .min(1, 'at least one scope')
  .transform((scopes) => [...new Set(scopes)]);

export const CreateTechnicalAccountSchema = z.object({
  name: z.string().trim().min(1).max(200),
  scopes: ScopeListSchema,
});

export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export interface SecretView {
  secretId: string;
  createdAt: string;
}

export interface TechnicalAccountView {
  id: string;
  orgId: string;
  name: string;
  clientId: string;
  scopes: string[];
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt: string | null;
  /** The live secrets (never their value). */
  secrets: SecretView[];
}

/** The answer to a creation: the only time the secret is shown. */
export interface CreatedTechnicalAccount {
  id: string;
  clientId: string;
  clientSecret: string;
  secretId: string;
  scopes: string[];
}
