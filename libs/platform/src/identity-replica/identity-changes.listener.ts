import type { EntityManager } from 'typeorm';

/**
 * What a service does, in the replica's transaction, with the ids whose recipient just changed
 * (the temporary table `identity_link_changes`). audience-import moves list members with them.
 */
export interface IdentityChangesListener {
  onIdentityChanges(tx: EntityManager): Promise<void>;
}

export const IDENTITY_CHANGES_LISTENER = Symbol('IDENTITY_CHANGES_LISTENER');
