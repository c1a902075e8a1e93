import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { MAX_SYNC_RESOLVE_IDS } from '@audience-hub/contracts';
import { chunksOf, type Resolution } from '@audience-hub/client';
import { CliContext, percent } from '../context';
import { UsageError } from '../exit-codes';

/** `hub resolve`: XC ids to recipients, or recipients to XC ids, in calls of at most 1,000 ids. */
export function resolveCommand(): Command {
  return new Command('resolve')
    .description('resolve XC ids to Campaign recipients (or back, with --to-xc)')
    .argument('[ids...]', 'the ids')
    .requiredOption('--data-source <dataSourceId>', 'the data source the ids belong to, e.g. visitor')
    .option('--to-xc', 'resolve recipient ids to the data source ids instead')
    .option('--file <path>', 'read the ids from a file, one per line')
    .action(async (args: string[], options: { dataSource: string; toXc?: boolean; file?: string }, cmd: Command) => {
      const ids = [
        ...args,
        ...(options.file
          ? readFileSync(options.file, 'utf8')
              .split(/\r?\n/)
              .map((line) => line.trim())
              .filter(Boolean)
          : []),
      ];
      if (ids.length === 0) throw new UsageError('give the ids as arguments or --file');
      const context = CliContext.of(cmd);
      const client = context.client();
      const result: Resolution = { matched: [], unmatched: [] };
      for (const chunk of chunksOf(ids, MAX_SYNC_RESOLVE_IDS)) {
        const answer = await client.identities.resolve({ dataSourceId: options.dataSource, direction: options.toXc ? 'to-xc' : 'to-recipients', ids: chunk });
        result.matched.push(...answer.matched);
        result.unmatched.push(...answer.unmatched);
      }
      context.print(result, () =>
        [
          ...result.matched.map((match) => `${match.id} -> ${match.recipientId}`),
          ...result.unmatched.map((id) => `${id} -> (unmatched)`),
          `matched ${result.matched.length}, unmatched ${result.unmatched.length} (${percent(result.matched.length / ids.length)})`,
        ].join('\n'),
      );
    });
}
