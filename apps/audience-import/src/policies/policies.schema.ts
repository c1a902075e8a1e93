import { z } from 'zod';
import { DataUsageLabelSchema, MarketingActionSchema } from '@audience-hub/contracts';

/** PUT /v1/policies: the org's whole policy set; actions left out fall back to the defaults. */
export const PutPoliciesSchema = z.array(z.object({ action: MarketingActionSchema, deniedLabels: z.array(DataUsageLabelSchema) }).strict()).superRefine((policies, ctx) => {
  const seen = new Set<string>();
  policies.forEach((policy, index) => {
    if (seen.has(policy.action)) ctx.addIssue({ code: 'custom', path: [index, 'action'], message: `action ${policy.action} is given twice` });
    seen.add(policy.action);
  });
});
