import { Command, CommanderError } from 'commander';
import { AuthError, HubApiError } from '@audience-hub/client';
import { audiencesCommand } from './commands/audiences.command';
import { completionCommand } from './commands/completion.command';
import { dataSourcesCommand } from './commands/data-sources.command';
import { dlqCommand } from './commands/dlq.command';
import { filesCommand } from './commands/files.command';
import { importCommand } from './commands/import.command';
import { listsCommand } from './commands/lists.command';
import { loginCommands } from './commands/login.command';
import { policiesCommand } from './commands/policies.command';
import { resolveCommand } from './commands/resolve.command';
import { shareCommand } from './commands/share.command';
import { ExitCodes, exitCodeOf, type ExitCode } from './exit-codes';

/** The `hub` command tree; every subcommand inherits the global options and exits through run(). */
export function createProgram(): Command {
  const program = new Command('hub')
    .description('audience-hub operator CLI: import XC audiences, share Campaign lists, find what went unmatched')
    .option('--json', 'print results as JSON')
    .option('--ims-url <url>', 'the IMS (env HUB_IMS_URL, default http://127.0.0.1:3000)')
    .option('--idrec-url <url>', 'id-reconciliation (env HUB_IDREC_URL, default http://127.0.0.1:3001)')
    .option('--import-url <url>', 'audience-import (env HUB_IMPORT_URL, default http://127.0.0.1:3002)')
    .option('--export-url <url>', 'audience-export (env HUB_EXPORT_URL, default http://127.0.0.1:3003)')
    .option('--client-id <id>', 'client credentials (env HUB_CLIENT_ID)')
    .option('--client-secret <secret>', 'client credentials (env HUB_CLIENT_SECRET)')
    .showHelpAfterError()
    .enablePositionalOptions(false);
  for (const command of [
    ...loginCommands(),
    audiencesCommand(),
    importCommand(),
    listsCommand(),
    shareCommand(),
    policiesCommand(),
    dataSourcesCommand(),
    resolveCommand(),
    filesCommand(),
    dlqCommand(),
  ]) {
    program.addCommand(command);
  }
  program.addCommand(completionCommand(program));
  // Usage errors exit 2 through run(), not by commander calling process.exit.
  const exitOverride = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

/** Runs `argv` and answers the exit code; errors go to stderr (as JSON with --json). */
export async function run(argv: string[], stderr: NodeJS.WritableStream = process.stderr): Promise<ExitCode> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return ExitCodes.done;
  } catch (error) {
    const code = exitCodeOf(error);
    // commander has printed its own usage errors (and help) already.
    if (!(error instanceof CommanderError)) {
      const json = argv.includes('--json');
      stderr.write(json ? JSON.stringify({ error: describeError(error), exitCode: code }) + '\n' : `hub: ${(error as Error).message ?? error}\n`);
    }
    return code;
  }
}

function describeError(error: unknown): unknown {
  if (error instanceof HubApiError) return { message: error.message, status: error.status, problem: error.problem };
  if (error instanceof AuthError) return { message: error.message, status: error.status };
  return { message: (error as Error).message ?? String(error) };
}
