import type { ExecutionContext } from '@nestjs/common';
import type { Principal } from './principal';

/**
 * Told of every verified caller a guard refuses for lack of scope (a 403), before the refusal
 * leaves: the audit trail records denied attempts at privileged actions through it. Optional: a
 * service without one just answers 403.
 */
export abstract class ScopeDenialListener {
  abstract denied(principal: Principal, context: ExecutionContext, reason: string): Promise<void>;
}
