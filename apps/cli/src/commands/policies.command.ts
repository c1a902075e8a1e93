import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { DataUsageLabelSchema, MarketingActionSchema } from '@audience-hub/contracts';
import type { Policy } from '@audience-hub/client';
import { CliContext, table } from '../context';
import { UsageError } from '../exit-codes';

/** `import-into-campaign=C3,C12` → a policy; the labels checked against the contracts. */
export function parsePolicy(argument: string): Omit<Policy, 'source'> {
  const [action, labels = '', ...rest] = argument.split('=');
  if (rest.length > 0 || !argument.includes('=')) throw new UsageError(`"${argument}" is not <action>=<label,label...>`);
  const parsedAction = MarketingActionSchema.safeParse(action);
  if (!parsedAction.success) throw new UsageError(`unknown action "${action}" (one of ${MarketingActionSchema.options.join(', ')})`);
  const deniedLabels = labels
    .split(',')
    .filter(Boolean)
    .map((label) => {
      const parsed = DataUsageLabelSchema.safeParse(label.trim());
      if (!parsed.success) throw new UsageError(`unknown data-usage label "${label}"`);
      return parsed.data;
    });
  return { action: parsedAction.data, deniedLabels };
}

/** `hub policies get|set`: the org's governance policies. */
export function policiesCommand(): Command {
  const command = new Command('policies').description('governance: per marketing action, the data-usage labels that forbid it');

  command
    .command('get')
    .description("the org's policies (defaults until set)")
    .action(async (_options, cmd: Command) => {
      const context = CliContext.of(cmd);
      const policies = await context.client().imports.policies();
      context.print(policies, () => table(policies, ['action', 'deniedLabels', 'source']));
    });

  command
    .command('set [policies...]')
    .description('replace the policies, e.g. `hub policies set import-into-campaign=C3,C12 share-to-experience-cloud=C1`; actions left out return to the defaults')
    .option('--file <json>', 'a JSON array of {action, deniedLabels} instead')
    .action(async (policies: string[], options: { file?: string }, cmd: Command) => {
      if (!options.file && policies.length === 0) throw new UsageError('give <action>=<labels> arguments or --file');
      const body = options.file ? (JSON.parse(readFileSync(options.file, 'utf8')) as Array<Omit<Policy, 'source'>>) : policies.map(parsePolicy);
      const context = CliContext.of(cmd);
      const saved = await context.client().imports.setPolicies(body);
      context.print(saved, () => table(saved, ['action', 'deniedLabels', 'source']));
    });

  return command;
}
