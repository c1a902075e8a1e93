import { z } from 'zod';

/** GET /v1/dead-letters filters. */
export const DeadLetterQuerySchema = z
  .object({
    topic: z.string().min(1).max(256).optional(),
    type: z.string().min(1).max(256).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** POST /v1/dead-letters/redrive: by id, or every letter matching a filter; `dryRun` only says which. */
export const RedriveSchema = z
  .object({
    ids: z
      .array(z.string().regex(/^\d{1,9}-\d{1,19}$/, 'a dead-letter id is <partition>-<offset>'))
      .min(1)
      .max(1000)
      .optional(),
    topic: z.string().min(1).max(256).optional(),
    type: z.string().min(1).max(256).optional(),
    dryRun: z.boolean().default(false),
  })
  .strict()
  .refine((body) => body.ids !== undefined || body.topic !== undefined || body.type !== undefined, { message: 'give ids, topic or type', path: ['ids'] });

export type DeadLetterQuery = z.infer<typeof DeadLetterQuerySchema>;
export type Redrive = z.infer<typeof RedriveSchema>;
