import { CommanderError } from 'commander';
import { AuthError, HubApiError } from '@audience-hub/client';

/** What `hub` exits with; scripts branch on these. */
export const ExitCodes = {
  done: 0,
  failed: 1,
  usage: 2,
  deniedByGovernance: 3,
  auth: 4,
} as const;

export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

/** A command's own verdict on what it watched or asked (e.g. an import ended `denied`). */
export class CommandOutcome extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

/** A usage mistake the command found itself (commander finds the rest). */
export class UsageError extends CommandOutcome {
  constructor(message: string) {
    super(ExitCodes.usage, message);
  }
}

/** The exit code for an import's or an update's final state. */
export function exitCodeOfState(state: string): ExitCode {
  if (state === 'completed') return ExitCodes.done;
  if (state === 'denied') return ExitCodes.deniedByGovernance;
  return ExitCodes.failed;
}

export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CommandOutcome) return error.exitCode;
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCodes.done : ExitCodes.usage;
  if (error instanceof AuthError) return ExitCodes.auth;
  if (error instanceof HubApiError) {
    // 403 is a missing scope or another org's resource: the caller's credentials, not the request.
    if (error.status === 401 || error.status === 403) return ExitCodes.auth;
    if (error.status === 400) return ExitCodes.usage;
    if (/denied|governance/.test(error.kind ?? '')) return ExitCodes.deniedByGovernance;
  }
  return ExitCodes.failed;
}
