import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from 'commander';
import { HubApiError, type FileReport } from '@audience-hub/client';
import { CliContext } from '../context';
import { CommandOutcome, ExitCodes } from '../exit-codes';

const lineErrors = (report: Pick<FileReport, 'errors' | 'errorCount'>): string[] => [
  ...report.errors.map((error) => `line ${error.line}: ${error.reason}`),
  ...(report.errorCount > report.errors.length ? [`... and ${report.errorCount - report.errors.length} more`] : []),
];

/** `hub files upload`: an Audience Manager outbound file, its bad lines reported by number. */
export function filesCommand(): Command {
  const command = new Command('files').description('Audience Manager outbound files');

  command
    .command('upload <file>')
    .description('import an outbound file (gzip when named .gz); exits 1 when refused past the error ratio')
    .option('--name <outboundName>', 'the outbound file name, when the local file is named otherwise')
    .option('--dry-run', 'report what the file would add to and remove from each import, and the match rate, without writing')
    .action(async (file: string, options: { name?: string; dryRun?: boolean }, cmd: Command) => {
      const context = CliContext.of(cmd);
      let report: FileReport;
      try {
        report = await context.client().imports.uploadFile(options.name ?? basename(file), readFileSync(file), { dryRun: options.dryRun });
      } catch (error) {
        // A refused file answers 422 with the same report (its line errors) as a problem.
        if (!(error instanceof HubApiError) || error.kind !== 'file-refused') throw error;
        const refused = error.problem as unknown as FileReport & { detail?: string };
        context.print(refused, () => [`${file}: refused: ${refused.detail}`, ...lineErrors(refused)].join('\n'));
        throw new CommandOutcome(ExitCodes.failed, `${file} refused`);
      }
      context.print(report, () =>
        [
          `${file}: ${report.dryRun ? 'dry run, nothing written: would be ' : ''}${report.state}${report.duplicate ? ' (already applied before)' : ''}, ${report.applied} of ${report.lines} lines applied, ${report.errorCount} errors`,
          ...(report.effects ?? []).map(
            (effect) =>
              `import ${effect.importId} (list ${effect.listId}): +${effect.added} -${effect.removed} recipients, ${effect.matched} matched, ${effect.unmatched} unmatched, match rate ${(effect.matchRate * 100).toFixed(1)}%`,
          ),
          ...lineErrors(report),
        ].join('\n'),
      );
    });

  return command;
}
