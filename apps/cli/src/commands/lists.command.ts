import { Command } from 'commander';
import { CliContext, nextCursorLine, withPaging, type PagingOptions } from '../context';

/** `hub lists members`: who an imported list holds. */
export function listsCommand(): Command {
  const command = new Command('lists').description('Campaign lists fed by imports');

  withPaging(command.command('members <listId>').description("an imported list's recipients, in recipient id order")).action(
    async (listId: string, options: PagingOptions, cmd: Command) => {
      const context = CliContext.of(cmd);
      const client = context.client();
      const page = await context.page(options, (query) => client.imports.members(listId, query));
      context.print(page, () => (page.items.map((member) => member.recipientId).join('\n') || '(none)') + nextCursorLine(page));
    },
  );

  return command;
}
