import { z } from 'zod';

/** RFC 9457 problem details, as every error of the REST APIs is answered (application/problem+json). */
export const ProblemSchema = z
  .object({
    type: z.string().meta({ description: 'Stable per kind of error: `https://audience-hub.dev/problems/<kind>`', example: 'https://audience-hub.dev/problems/validation' }),
    title: z.string().meta({ example: 'Invalid request' }),
    status: z.number().int().meta({ example: 400 }),
    detail: z.string().optional().meta({ example: 'The request does not match the expected shape.' }),
    instance: z.string().optional().meta({ description: 'The request path', example: '/v1/imports' }),
    errors: z
      .array(z.string())
      .optional()
      .meta({ description: 'Validation problems only: one `<path>: <reason>` line per issue', example: ['listId: Required'] }),
  })
  .catchall(z.unknown())
  .meta({ title: 'Problem', description: 'RFC 9457 problem details; some kinds add members (e.g. a refused file its counts)' });
