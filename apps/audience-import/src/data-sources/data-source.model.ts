import type { IdType } from '@audience-hub/contracts';

/** audience-import's copy of an id-reconciliation data source. */
export interface DataSourceCopy {
  dataSourceId: string;
  name: string;
  idType: IdType;
  builtIn: boolean;
  exportControls: string[];
  xcDataSourceId: string | null;
}

/** Every org has it; assumed until its definition arrives, since idrec creates it with the org. */
export const BUILT_IN_VISITOR: DataSourceCopy = {
  dataSourceId: 'visitor',
  name: 'Recipient - Visitor ID',
  idType: 'visitor',
  builtIn: true,
  exportControls: [],
  xcDataSourceId: null,
};
