import { Command, Option } from 'commander';
import { FINAL_STATES, type ExportMode, type UpdateView } from '@audience-hub/client';
import { CliContext, fields, nextCursorLine, table, withPaging, type PagingOptions } from '../context';
import { CommandOutcome, exitCodeOfState } from '../exit-codes';
import { WATCH_FLAGS, watchUntil, type WatchOptions } from '../watch';

const STEPS: Record<UpdateView['state'], number> = { pending: 0, running: 1, completed: 2, failed: 2, denied: 2 };

const summary = (update: UpdateView): string =>
  `${update.state} | version ${update.version ?? '-'} | exported ${update.counts.exported} added ${update.counts.added} removed ${update.counts.removed} unmapped ${update.counts.unmapped}`;

/** Follows an update run until it settles; exits 0 completed, 1 failed, 3 denied. */
async function watchUpdate(context: CliContext, sharedAudienceId: string, updateId: string, options: WatchOptions): Promise<void> {
  const client = context.client();
  const update = await watchUntil(
    context,
    options,
    () => client.exports.getUpdate(sharedAudienceId, updateId),
    (view) => FINAL_STATES.has(view.state),
    // An update is one step for the exporter: pending, running, done.
    (view, startedAt, now) => ({
      value: STEPS[view.state],
      total: 2,
      detail: summary(view),
      elapsedSeconds: (now - startedAt) / 1000,
      etaSeconds: FINAL_STATES.has(view.state) ? 0 : undefined,
    }),
  );
  context.print(
    update,
    () => `update ${update.id} ${summary(update)}${update.reason ? ` (${update.reason})` : ''}${update.files.length ? `\nfiles: ${update.files.join(', ')}` : ''}`,
  );
  const code = exitCodeOfState(update.state);
  if (code !== 0) throw new CommandOutcome(code, `update ${update.id} ended ${update.state}${update.reason ? `: ${update.reason}` : ''}`);
}

const withWatchFlags = (command: Command) => WATCH_FLAGS.reduce((c, [flags, description, fallback]) => c.option(flags, description, fallback), command);

/** `hub share create|ls|show|update|watch|unmapped`: Campaign lists shared with XC. */
export function shareCommand(): Command {
  const command = new Command('share').description('share Campaign lists with XC as shared audiences');

  command
    .command('create')
    .description('define a shared audience (an XC segment) for a data source')
    .requiredOption('--segment <name>', 'the segment name')
    .requiredOption('--data-source <dataSourceId>', 'the data source whose ids it holds')
    .action(async (options: { segment: string; dataSource: string }, cmd: Command) => {
      const context = CliContext.of(cmd);
      const audience = await context.client().exports.create({ segmentName: options.segment, dataSourceId: options.dataSource });
      context.print(audience, () => fields({ ...audience }));
    });

  withPaging(command.command('ls').description("the org's shared audiences")).action(async (options: PagingOptions, cmd: Command) => {
    const context = CliContext.of(cmd);
    const client = context.client();
    const page = await context.page(options, (query) => client.exports.list(query));
    context.print(page, () => table(page.items, ['id', 'segmentName', 'segmentId', 'dataSourceId', 'version', 'createdAt']) + nextCursorLine(page));
  });

  command
    .command('show <sharedAudienceId>')
    .description('one shared audience, with its last exported version')
    .action(async (id: string, _options, cmd: Command) => {
      const context = CliContext.of(cmd);
      const audience = await context.client().exports.get(id);
      context.print(audience, () => fields({ ...audience }));
    });

  withWatchFlags(
    command
      .command('update <sharedAudienceId>')
      .description('"Update shared audience": export a Campaign list into it')
      .requiredOption('--list <listId>', 'the Campaign list')
      .addOption(new Option('--mode <mode>', 'add-only keeps members the list dropped; mirror removes them').choices(['add-only', 'mirror']).default('add-only'))
      .option('--watch', 'then follow it until it settles')
      .option('--dry-run', 'say what it would add, remove and leave unmapped now, writing nothing'),
  ).action(async (id: string, options: WatchOptions & { list: string; mode: ExportMode; watch?: boolean; dryRun?: boolean }, cmd: Command) => {
    const context = CliContext.of(cmd);
    if (options.dryRun) {
      const predicted = await context.client().exports.dryRunUpdate(id, { listId: options.list, mode: options.mode });
      const { added, removed, unmapped, exported } = predicted.counts;
      context.print(predicted, () =>
        predicted.state === 'completed'
          ? `dry run, nothing written: would add ${added}, remove ${removed}, leave ${unmapped} recipients unmapped; XC would hold ${exported} ids`
          : `dry run, nothing written: would be ${predicted.state}${predicted.reason ? `: ${predicted.reason}` : ''}`,
      );
      const code = exitCodeOfState(predicted.state);
      if (code !== 0) throw new CommandOutcome(code, `the update would be ${predicted.state}`);
      return;
    }
    const update = await context.client().exports.update(id, { listId: options.list, mode: options.mode });
    if (options.watch) return watchUpdate(context, id, update.id, options);
    context.print(update, () => `update ${update.id} ${update.state}\nfollow it: hub share watch ${id} ${update.id}`);
  });

  withWatchFlags(command.command('watch <sharedAudienceId> <updateId>').description('follow an update run until it settles')).action(
    async (id: string, updateId: string, options: WatchOptions, cmd: Command) => watchUpdate(CliContext.of(cmd), id, updateId, options),
  );

  withPaging(command.command('unmapped <sharedAudienceId> <updateId>').description("the run's recipients with no id for the data source")).action(
    async (id: string, updateId: string, options: PagingOptions, cmd: Command) => {
      const context = CliContext.of(cmd);
      const client = context.client();
      const page = await context.page(options, (query) => client.exports.unmapped(id, updateId, query));
      context.print(page, () => (page.items.map((member) => member.recipientId).join('\n') || '(none)') + nextCursorLine(page));
    },
  );

  return command;
}
