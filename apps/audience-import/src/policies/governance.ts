import type { DataUsageLabel } from '@audience-hub/contracts';
import type { Decision, MarketingAction, Policy } from '@audience-hub/contracts';

export type { Decision, MarketingAction, Policy };

export const MARKETING_ACTIONS = ['import-into-campaign', 'share-to-experience-cloud'] as const;
/** DESIGN section 5: what each action forbids when the org set nothing. */
export const DEFAULT_DENIED_LABELS: Readonly<Record<MarketingAction, readonly DataUsageLabel[]>> = {
  'import-into-campaign': ['C3', 'C12'],
  'share-to-experience-cloud': ['C1', 'C12'],
};

/**
 * Data-export controls that forbid importing into Campaign. `cannot-be-tied-to-pii`: importing
 * resolves the source's ids to recipient profiles, which is exactly tying them to PII, whatever
 * the id type. The other controls restrict targeting or export to XC, not this import.
 */
export const IMPORT_BLOCKING_CONTROLS: readonly string[] = ['cannot-be-tied-to-pii'];

export interface GovernanceInput {
  audienceId: string;
  labels: readonly DataUsageLabel[];
  policy: Policy;
  dataSource: { dataSourceId: string; exportControls: readonly string[] };
}

/** May this audience, through this data source, be imported into Campaign? */
export function decideImport(input: GovernanceInput): Decision {
  const policyName = `${input.policy.source}:${input.policy.action}`;
  const forbidding = input.policy.deniedLabels.filter((label) => input.labels.includes(label)).sort(byLabel);
  if (forbidding.length > 0) {
    return {
      action: input.policy.action,
      policy: policyName,
      labels: forbidding,
      allowed: false,
      reason: `label${forbidding.length > 1 ? 's' : ''} ${forbidding.join(', ')} of audience ${input.audienceId} forbid${forbidding.length > 1 ? '' : 's'} ${input.policy.action} (policy ${policyName})`,
    };
  }
  const control = input.dataSource.exportControls.find((c) => IMPORT_BLOCKING_CONTROLS.includes(c));
  if (control) {
    return {
      action: input.policy.action,
      policy: `export-control:${control}`,
      labels: [],
      allowed: false,
      reason: `data source ${input.dataSource.dataSourceId} has export control ${control}, which forbids ${input.policy.action}`,
    };
  }
  return { action: input.policy.action, policy: policyName, labels: [...input.labels].sort(byLabel), allowed: true };
}

/** C1 < C2 < … < C12 < I1 < I2 < S1 < S2. */
function byLabel(a: string, b: string): number {
  return a[0] === b[0] ? Number(a.slice(1)) - Number(b.slice(1)) : a.localeCompare(b);
}
