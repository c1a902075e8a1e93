import type { DataSourceDefinition } from '@audience-hub/platform';

/** audience-import's copy of an id-reconciliation data source. */
export type DataSourceCopy = DataSourceDefinition;

/** Every org has it; assumed until its definition arrives, since idrec creates it with the org. */
export const BUILT_IN_VISITOR: DataSourceCopy = {
  dataSourceId: 'visitor',
  name: 'Recipient - Visitor ID',
  idType: 'visitor',
  integrationCode: 'AdobeCampaignVisitorID',
  builtIn: true,
  exportControls: [],
  normalization: [],
};
