import { SetMetadata } from '@nestjs/common';
import type { AuditAction, AuditTarget } from '@audience-hub/contracts';

export const AUDITED_ACTION = 'audience-hub:audited-action';

export interface AuditedRoute {
  action: AuditAction;
  /** Which route parameter names which target id, for attempts that were denied or failed. */
  targetParams: Partial<Record<keyof AuditTarget, string>>;
}

/**
 * Marks a route as a privileged action: its use case records the success in the action's
 * transaction; a 403 (from the guard or the use case) or another failure is recorded from here.
 */
export const Audited = (action: AuditAction, targetParams: AuditedRoute['targetParams'] = {}) => SetMetadata<string, AuditedRoute>(AUDITED_ACTION, { action, targetParams });
