import type { DataSourceDefinition, ExportControl } from '@audience-hub/platform';
import type { GovernanceDecision } from '@audience-hub/contracts';

export type { GovernanceDecision };

export const SHARE_TO_EXPERIENCE_CLOUD = 'share-to-experience-cloud';

/** Default policy: sharing is forbidden for audiences labelled C1 or C12. */
export const DEFAULT_SHARE_DENIED_LABELS = ['C1', 'C12'];

/** Data-export controls of a data source that forbid sharing its ids with the Experience Cloud. */
export const CONTROLS_FORBIDDING_SHARE: readonly ExportControl[] = ['no-export-to-xc', 'cannot-be-tied-to-pii'];

/**
 * Decides whether a list may be shared through `dataSource`. Campaign lists carry no labels in the
 * contract, so the label policy is recorded with none; the data source's export controls decide.
 */
export function decideShare(dataSource: Pick<DataSourceDefinition, 'exportControls'>, listLabels: readonly string[] = []): GovernanceDecision[] {
  const deniedLabels = listLabels.filter((label) => DEFAULT_SHARE_DENIED_LABELS.includes(label));
  const blocking = dataSource.exportControls.filter((control) => CONTROLS_FORBIDDING_SHARE.includes(control));
  return [
    {
      action: SHARE_TO_EXPERIENCE_CLOUD,
      policy: `default: labels ${DEFAULT_SHARE_DENIED_LABELS.join(', ')} forbid sharing`,
      labels: deniedLabels.length > 0 ? deniedLabels : [...listLabels],
      controls: [],
      allowed: deniedLabels.length === 0,
    },
    {
      action: SHARE_TO_EXPERIENCE_CLOUD,
      policy: `data-export controls: ${CONTROLS_FORBIDDING_SHARE.join(', ')} forbid sharing`,
      labels: [],
      controls: blocking.length > 0 ? blocking : [...dataSource.exportControls],
      allowed: blocking.length === 0,
    },
  ];
}

export const isAllowed = (decisions: readonly GovernanceDecision[]): boolean => decisions.every((decision) => decision.allowed);

/** The reason a denial gives, naming the policy and what triggered it. */
export function denialReason(decisions: readonly GovernanceDecision[]): string | undefined {
  const denied = decisions.find((decision) => !decision.allowed);
  if (!denied) return undefined;
  const what = [...denied.labels, ...denied.controls].join(', ');
  return `${denied.action} denied by ${denied.policy} (${what})`;
}
