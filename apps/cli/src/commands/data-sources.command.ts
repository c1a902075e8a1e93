import { Command } from 'commander';
import type { NormalizationStep } from '@audience-hub/contracts';
import { CliContext, fields, nextCursorLine, table, withPaging, type PagingOptions } from '../context';

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter(Boolean)];

/** `hub data-sources ls|show|create|stats`: where XC ids come from and how they reconcile. */
/** The flags of `hub data-sources create`. */
interface CreateDataSourceOptions {
  id?: string;
  name: string;
  integrationCode: string;
  attribute: string;
  normalize?: string[];
  exportControl?: string[];
  xcDataSourceId?: string;
}

export function dataSourcesCommand(): Command {
  const command = new Command('data-sources').description('data sources: the kinds of ids reconciled with Campaign recipients');

  withPaging(command.command('ls').description("the org's data sources")).action(async (options: PagingOptions, cmd: Command) => {
    const context = CliContext.of(cmd);
    const client = context.client();
    const page = await context.page(options, (query) => client.identities.dataSources(query));
    context.print(page, () => table(page.items, ['id', 'name', 'idType', 'integrationCode', 'builtIn', 'exportControls']) + nextCursorLine(page));
  });

  command
    .command('show <dataSourceId>')
    .description('one data source')
    .action(async (id: string, _options, cmd: Command) => {
      const context = CliContext.of(cmd);
      const ds = await context.client().identities.dataSource(id);
      context.print(ds, () => fields({ ...ds }));
    });

  command
    .command('create')
    .description('declare a data source of declared ids, reconciled on a recipient attribute')
    .option('--id <id>', 'its id (generated when left out)')
    .requiredOption('--name <name>', 'a name')
    .requiredOption('--integration-code <code>', 'the integration code XC knows it by')
    .requiredOption('--attribute <attribute>', 'the recipient attribute its ids match, e.g. email')
    .option('--normalize <steps>', 'normalisation of both sides: trim,lowercase,sha256', list)
    .option('--export-control <controls>', 'export controls, e.g. C1', list)
    .option('--xc-data-source-id <id>', 'the numeric Audience Manager data source id')
    .action(async (options: CreateDataSourceOptions, cmd: Command) => {
      const context = CliContext.of(cmd);
      const ds = await context.client().identities.createDataSource({
        ...(options.id ? { id: options.id } : {}),
        name: options.name,
        idType: 'declared',
        integrationCode: options.integrationCode,
        reconciliationKey: { attribute: options.attribute, normalization: (options.normalize ?? []) as NormalizationStep[] },
        exportControls: options.exportControl ?? [],
        ...(options.xcDataSourceId ? { xcDataSourceId: options.xcDataSourceId } : {}),
      });
      context.print(ds, () => fields({ ...ds }));
    });

  command
    .command('stats <dataSourceId>')
    .description('recipients with a key value, with a visitor link, links added in the last day')
    .action(async (id: string, _options, cmd: Command) => {
      const context = CliContext.of(cmd);
      const stats = await context.client().identities.stats(id);
      context.print(stats, () => fields({ ...stats }));
    });

  return command;
}
