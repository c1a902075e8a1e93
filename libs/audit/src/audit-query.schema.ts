import { z } from 'zod';
import { AuditActionSchema } from '@audience-hub/contracts';

/** GET /v1/audit-events filters; `limit` and `cursor` are the paging of every list route. */
export const AuditQuerySchema = z.object({
  actor: z.string().min(1).max(256).optional().describe('client id of the caller that acted'),
  action: AuditActionSchema.optional(),
  from: z.iso.datetime({ offset: true, error: 'from must be an ISO 8601 date-time with an offset' }).optional().describe('records at or after'),
  to: z.iso.datetime({ offset: true, error: 'to must be an ISO 8601 date-time with an offset' }).optional().describe('records before'),
  limit: z.string().optional(),
  cursor: z.string().optional(),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;
