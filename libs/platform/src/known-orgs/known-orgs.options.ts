import type { EntityManager } from 'typeorm';

export const KNOWN_ORGS_OPTIONS = Symbol('KNOWN_ORGS_OPTIONS');

/** How a service keeps the orgs it knows, in a table of its own schema. */
export interface KnownOrgsOptions {
  /** The table: `org_id` primary key and `name` (NULL allowed where REST registers orgs, whose tokens carry no name). */
  table: string;
  /** A column of that table keeping the org's creation time as IMS announced it, if the table has one. */
  createdAtColumn?: string;
  /**
   * Another table of the schema whose rows of an org make the org known too (audience-export:
   * `data_sources`, since id-reconciliation publishes only for orgs it knows and its topic is not
   * ordered with ims.events.v1).
   */
  alsoKnownFrom?: string;
  /** Runs in the transaction that records an org for the first time. */
  onFirstSeen?: (tx: EntityManager, orgId: string) => Promise<void>;
}

/** An org as IMS announces it (`ims.org.created`) or as a REST call proves it (no name then). */
export interface KnownOrg {
  orgId: string;
  name: string | null;
  createdAt?: string;
}
