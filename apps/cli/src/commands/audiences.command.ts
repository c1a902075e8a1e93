import { Command } from 'commander';
import { CliContext, fields, nextCursorLine, table, withPaging, type PagingOptions } from '../context';

/** `hub audiences ls|show`: the audiences XC shares with the org. */
export function audiencesCommand(): Command {
  const command = new Command('audiences').description('the audiences XC solutions share with your org');

  withPaging(command.command('ls').description('the catalog of XC audiences')).action(async (options: PagingOptions, cmd: Command) => {
    const context = CliContext.of(cmd);
    const client = context.client();
    const page = await context.page(options, (query) => client.imports.audiences(query));
    context.print(page, () => table(page.items, ['audienceId', 'name', 'solution', 'labels', 'withdrawn', 'updatedAt']) + nextCursorLine(page));
  });

  command
    .command('show <audienceId>')
    .description('one XC audience')
    .action(async (audienceId: string, _options, cmd: Command) => {
      const context = CliContext.of(cmd);
      const audience = await context.client().imports.audience(audienceId);
      context.print(audience, () => fields({ ...audience }));
    });

  return command;
}
