import { Command, Option } from 'commander';
import type { ImportView, SnapshotDryRun, SnapshotMode } from '@audience-hub/client';
import { CliContext, fields, nextCursorLine, percent, table, withPaging, type PagingOptions } from '../context';
import { CommandOutcome, exitCodeOfState, UsageError } from '../exit-codes';
import { importFrame, importSettled } from '../import-progress';
import { WATCH_FLAGS, watchUntil, type WatchOptions } from '../watch';

const row = (job: ImportView) => ({
  id: job.id,
  state: job.state,
  audience: job.audienceId,
  list: job.listId,
  dataSource: job.dataSourceId,
  mode: job.mode,
  matched: job.counts.matched,
  unmatched: job.counts.unmatched,
  matchRate: percent(job.matchRate),
});

const describe = (job: ImportView): string =>
  fields({
    ...row(job),
    listLabel: job.listLabel,
    counts: job.counts,
    snapshots: job.snapshots,
    lateMatched: job.lateMatched,
    decision: job.decision ? `${job.decision.allowed ? 'allowed' : 'denied'} by ${job.decision.policy}${job.decision.reason ? `: ${job.decision.reason}` : ''}` : null,
    reason: job.reason,
    receiving: job.receiving,
    updatedAt: job.updatedAt,
  });

/** Follows an import until it settles; exits 0 completed, 1 failed, 3 denied. */
async function watchImport(context: CliContext, importId: string, options: WatchOptions): Promise<void> {
  const client = context.client();
  let lastParts = 0;
  const job = await watchUntil(
    context,
    options,
    () => client.imports.get(importId),
    importSettled,
    (view, startedAt, now) => {
      if (view.receiving) lastParts = view.receiving.lastPart !== null ? view.receiving.lastPart + 1 : view.receiving.partsReceived;
      return importFrame(view, startedAt, now, lastParts);
    },
  );
  context.print(
    job,
    () =>
      `import ${job.id} ${job.state}: matched ${job.counts.matched}, unmatched ${job.counts.unmatched}, match rate ${percent(job.matchRate)}${job.reason ? ` (${job.reason})` : ''}`,
  );
  const code = exitCodeOfState(job.state);
  if (code !== 0) throw new CommandOutcome(code, `import ${job.id} ended ${job.state}${job.reason ? `: ${job.reason}` : ''}`);
}

const withWatchFlags = (command: Command) => WATCH_FLAGS.reduce((c, [flags, description, fallback]) => c.option(flags, description, fallback), command);

/** What the audience's last received snapshot would do to each import now, one line per import. */
const describeDryRun = (dry: SnapshotDryRun): string =>
  [
    `dry run, nothing written: snapshot ${dry.snapshot.key} of audience ${dry.audienceId} (${dry.snapshot.ids} ${dry.snapshot.idType} ids in ${dry.snapshot.parts} parts, received ${dry.snapshot.receivedAt}) sent again now would do`,
    ...(dry.effects.length === 0
      ? ['  nothing: no open import of the audience takes it']
      : dry.effects.map(
          (effect) =>
            `  import ${effect.importId} (list ${effect.listId}): +${effect.added} -${effect.removed} recipients, ${effect.matched} matched, ${effect.unmatched} unmatched, match rate ${percent(effect.matchRate)}`,
        )),
  ].join('\n');

/** `hub import start|watch|ls|show`: XC audiences into Campaign lists. */
/** The flags of `hub import start`. */
interface StartImportOptions extends WatchOptions {
  audience: string;
  dataSource?: string;
  dryRun?: boolean;
  list?: string;
  label?: string;
  mode: SnapshotMode;
  watch?: boolean;
}

export function importCommand(): Command {
  const command = new Command('import').description('import XC audiences into Campaign lists');

  withWatchFlags(
    command
      .command('start')
      .description('import an XC audience into a Campaign list (exits 3 when governance denies it)')
      .requiredOption('--audience <audienceId>', 'the XC audience (see `hub audiences ls`)')
      .option('--data-source <dataSourceId>', 'the data source its ids belong to, e.g. visitor (required unless --dry-run)')
      .option('--list <listId>', 'an existing Campaign list to feed')
      .option('--label <label>', 'the label of a new list')
      .addOption(new Option('--mode <mode>', 'full snapshots replace the list, delta ones merge').choices(['full', 'delta']).default('full'))
      .option('--watch', 'then follow it until it settles')
      .option(
        '--dry-run',
        "report what the audience's last received snapshot would add to and remove from each of its imports now, and the match rate, without writing (exits 1 when none is kept)",
      ),
  ).action(async (options: StartImportOptions, cmd: Command) => {
    const context = CliContext.of(cmd);
    if (options.dryRun) {
      if (options.watch) throw new UsageError('--dry-run writes nothing to watch: drop --watch');
      const dry = await context.client().imports.dryRunSnapshot(options.audience);
      return context.print(dry, () => describeDryRun(dry));
    }
    if (!options.dataSource) throw new UsageError('give --data-source <dataSourceId>');
    if (!options.list && !options.label) throw new UsageError('give --list <listId> or --label <label>');
    const job = await context.client().imports.create({
      audienceId: options.audience,
      dataSourceId: options.dataSource,
      mode: options.mode,
      ...(options.list ? { listId: options.list } : {}),
      ...(options.label ? { listLabel: options.label } : {}),
    });
    if (job.state === 'denied') {
      context.print(job, () => describe(job));
      throw new CommandOutcome(exitCodeOfState(job.state), `import denied by governance: ${job.decision?.reason ?? job.reason ?? ''}`);
    }
    if (options.watch) return watchImport(context, job.id, options);
    context.print(job, () => `import ${job.id} ${job.state} into list ${job.listId}\nfollow it: hub import watch ${job.id}`);
  });

  withWatchFlags(command.command('watch <importId>').description('follow an import with a live progress bar until it settles')).action(
    async (importId: string, options: WatchOptions, cmd: Command) => watchImport(CliContext.of(cmd), importId, options),
  );

  withPaging(command.command('ls').description("the org's imports")).action(async (options: PagingOptions, cmd: Command) => {
    const context = CliContext.of(cmd);
    const client = context.client();
    const page = await context.page(options, (query) => client.imports.list(query));
    context.print(page, () => table(page.items.map(row), ['id', 'state', 'audience', 'list', 'dataSource', 'mode', 'matched', 'unmatched', 'matchRate']) + nextCursorLine(page));
  });

  command
    .command('show <importId>')
    .description('an import: state, counts, match rate, governance decision, the snapshot arriving')
    .option('--decisions', 'also every governance decision taken for it')
    .action(async (importId: string, options: { decisions?: boolean }, cmd: Command) => {
      const context = CliContext.of(cmd);
      const client = context.client();
      const job = await client.imports.get(importId);
      if (!options.decisions) return context.print(job, () => describe(job));
      const decisions = (await context.page({ all: true }, (query) => client.imports.decisions(importId, query))).items;
      context.print({ ...job, decisions }, () => `${describe(job)}\n\n${table(decisions, ['at', 'action', 'policy', 'allowed', 'labels', 'reason'])}`);
    });

  return command;
}
