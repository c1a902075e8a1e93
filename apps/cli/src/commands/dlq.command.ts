import { Command, Option } from 'commander';
import { CONSUMING_SERVICES, HubApiError, type ConsumingService, type DeadLetter, type DeadLetterDetail } from '@audience-hub/client';
import { CliContext, fields, table } from '../context';
import { CommandOutcome, ExitCodes, UsageError } from '../exit-codes';

const serviceOption = () => new Option('--service <service>', 'one service only (default: every consuming service)').choices([...CONSUMING_SERVICES]);
const servicesOf = (options: { service?: ConsumingService }): readonly ConsumingService[] => (options.service ? [options.service] : CONSUMING_SERVICES);
/** The flags of ls and redrive. */
interface DeadLetterFilter {
  service?: ConsumingService;
  topic?: string;
  type?: string;
}

const COLUMNS = ['service', 'id', 'topic', 'offset', 'eventType', 'reason', 'firstError', 'deadLetteredAt'];

/** `hub dlq ls|show|redrive`: each consuming service's dead letters, through its own REST API. */
export function dlqCommand(): Command {
  const command = new Command('dlq').description('dead letters: events a service could not apply, with the reason, and their redrive once the cause is fixed');

  command
    .command('ls')
    .description('dead letters of your org, per service')
    .addOption(serviceOption())
    .option('--topic <topic>', 'only those consumed from this topic')
    .option('--type <eventType>', 'only events of this type')
    .action(async (options: DeadLetterFilter, cmd: Command) => {
      const context = CliContext.of(cmd);
      const client = context.client();
      const items: Array<DeadLetter & { service: ConsumingService }> = [];
      for (const service of servicesOf(options)) {
        const page = await client.deadLetters[service].list({ topic: options.topic, type: options.type, limit: 1000 });
        items.push(...page.items.map((letter) => ({ service, ...letter })));
      }
      context.print({ items }, () => table(items, COLUMNS));
    });

  command
    .command('show <id>')
    .description('one dead letter: every error, the original event and its headers')
    .addOption(serviceOption())
    .action(async (id: string, options: { service?: ConsumingService }, cmd: Command) => {
      const context = CliContext.of(cmd);
      const client = context.client();
      for (const service of servicesOf(options)) {
        let letter: DeadLetterDetail;
        try {
          letter = await client.deadLetters[service].get(id);
        } catch (error) {
          if (error instanceof HubApiError && error.status === 404) continue;
          throw error;
        }
        return context.print({ service, ...letter }, () => fields({ service, ...letter, errors: letter.errors.join('\n  ') }));
      }
      throw new CommandOutcome(ExitCodes.failed, `no dead letter ${id}`);
    });

  command
    .command('redrive [ids...]')
    .description('send dead letters back to their topics, by id or by --topic/--type; the consumer inbox makes a second redrive harmless')
    .addOption(serviceOption())
    .option('--topic <topic>', 'every letter consumed from this topic')
    .option('--type <eventType>', 'every letter of this event type')
    .option('--dry-run', 'only say what would be redriven')
    .action(async (ids: string[], options: DeadLetterFilter & { dryRun?: boolean }, cmd: Command) => {
      if (ids.length === 0 && !options.topic && !options.type) throw new UsageError('give dead-letter ids, --topic or --type');
      const context = CliContext.of(cmd);
      const client = context.client();
      const redriven: Array<DeadLetter & { service: ConsumingService }> = [];
      for (const service of servicesOf(options)) {
        // Each service redrives only its own group's letters: the others answer none of these ids.
        const answer = await client.deadLetters[service].redrive({ ...(ids.length ? { ids } : {}), topic: options.topic, type: options.type, dryRun: Boolean(options.dryRun) });
        redriven.push(...answer.redriven.map((letter) => ({ service, ...letter })));
      }
      const missing = ids.filter((id) => !redriven.some((letter) => letter.id === id));
      context.print({ dryRun: Boolean(options.dryRun), redriven, missing }, () =>
        [`${options.dryRun ? 'would redrive' : 'redriven'}: ${redriven.length}`, table(redriven, COLUMNS), ...(missing.length ? [`not found: ${missing.join(', ')}`] : [])].join(
          '\n',
        ),
      );
      if (missing.length > 0) throw new CommandOutcome(ExitCodes.failed, `no dead letter ${missing.join(', ')}`);
    });

  return command;
}
