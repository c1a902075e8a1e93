import { z } from 'zod';
import { ALL_SCOPES, type Scope } from '@audience-hub/auth';
import { pageOf } from '@audience-hub/contracts';

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

export const SecretViewSchema = z.object({ secretId: z.string(), createdAt: z.string().meta({ format: 'date-time' }) });
export type SecretView = z.infer<typeof SecretViewSchema>;

export const TechnicalAccountViewSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    name: z.string(),
    clientId: z.string(),
    scopes: z.array(z.string()),
    status: z.enum(['active', 'revoked']),
    createdAt: z.string().meta({ format: 'date-time' }),
    revokedAt: z.string().meta({ format: 'date-time' }).nullable(),
    /** The live secrets (never their value). */
    secrets: z.array(SecretViewSchema).meta({ description: 'The live secrets (never their value)' }),
  })
  .meta({ title: 'TechnicalAccountView' });
export type TechnicalAccountView = z.infer<typeof TechnicalAccountViewSchema>;

/** The answer to a creation: the only time the secret is shown. */
export const CreatedTechnicalAccountSchema = z
  .object({
    id: z.string(),
    clientId: z.string(),
    clientSecret: z.string().meta({ description: 'Shown in this answer only' }),
    secretId: z.string(),
    scopes: z.array(z.string()),
  })
  .meta({ title: 'CreatedTechnicalAccount' });
export type CreatedTechnicalAccount = z.infer<typeof CreatedTechnicalAccountSchema>;

export const TechnicalAccountPageSchema = pageOf(TechnicalAccountViewSchema, 'TechnicalAccount');
