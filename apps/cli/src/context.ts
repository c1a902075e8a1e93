import type { Command } from 'commander';
import { allPages, DEFAULT_HUB_URLS, HubClient, type HubUrls, type Page, type PageQuery } from '@audience-hub/client';
import { UsageError } from './exit-codes';
import { CliTokenSource, tokenFile } from './token-cache';

/** The options every command takes (declared on the program, read through optsWithGlobals). */
export interface GlobalOptions {
  json?: boolean;
  imsUrl?: string;
  idrecUrl?: string;
  importUrl?: string;
  exportUrl?: string;
  clientId?: string;
  clientSecret?: string;
}

/** What a command needs: the options, a client, and one way to print. */
export class CliContext {
  readonly json: boolean;
  readonly urls: HubUrls;

  constructor(
    readonly options: GlobalOptions,
    readonly env: NodeJS.ProcessEnv = process.env,
    readonly stdout: NodeJS.WriteStream = process.stdout,
  ) {
    this.json = Boolean(options.json);
    this.urls = {
      ims: options.imsUrl ?? env.HUB_IMS_URL ?? DEFAULT_HUB_URLS.ims,
      idReconciliation: options.idrecUrl ?? env.HUB_IDREC_URL ?? DEFAULT_HUB_URLS.idReconciliation,
      audienceImport: options.importUrl ?? env.HUB_IMPORT_URL ?? DEFAULT_HUB_URLS.audienceImport,
      audienceExport: options.exportUrl ?? env.HUB_EXPORT_URL ?? DEFAULT_HUB_URLS.audienceExport,
    };
  }

  static of(command: Command): CliContext {
    return new CliContext(command.optsWithGlobals<GlobalOptions>());
  }

  /** Client credentials from the flags, else HUB_CLIENT_ID / HUB_CLIENT_SECRET; undefined when neither. */
  credentials(): { clientId: string; clientSecret: string } | undefined {
    const clientId = this.options.clientId ?? this.env.HUB_CLIENT_ID;
    const clientSecret = this.options.clientSecret ?? this.env.HUB_CLIENT_SECRET;
    return clientId && clientSecret ? { clientId, clientSecret } : undefined;
  }

  get tokenFile(): string {
    return tokenFile(this.env);
  }

  client(): HubClient {
    return new HubClient({ urls: this.urls, auth: new CliTokenSource(this.tokenFile, this.urls.ims, this.credentials()) });
  }

  /** The value as JSON with --json, else the human rendering. */
  print(value: unknown, human: () => string): void {
    this.stdout.write(this.json ? JSON.stringify(value, null, 2) + '\n' : human() + '\n');
  }

  /** One page, or every item with --all (as one page with no next cursor). */
  async page<T>(options: PagingOptions, fetchPage: (query: PageQuery) => Promise<Page<T>>): Promise<Page<T>> {
    if (!options.all) return fetchPage({ limit: options.limit ? positiveInt(options.limit, '--limit') : undefined, cursor: options.cursor });
    const items: T[] = [];
    for await (const item of allPages(fetchPage)) items.push(item);
    return { items, nextCursor: null };
  }
}

export function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer, got "${value}"`);
  return n;
}

/** Rows as aligned columns, a header first. */
export function table<T extends object>(rows: readonly T[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = [columns, ...rows.map((row) => columns.map((column) => format((row as Record<string, unknown>)[column])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key: value` lines. */
export function fields(value: Record<string, unknown>): string {
  return Object.entries(value)
    .map(([key, v]) => `${key}: ${format(v)}`)
    .join('\n');
}

function format(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.map(format).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  // Objects were handled above: what is left is a scalar.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return String(value);
}

/** Page options shared by every `ls`. */
/** The flags withPaging adds, as commander hands them to an action. */
export interface PagingOptions {
  all?: boolean;
  limit?: string;
  cursor?: string;
}

export function withPaging(command: Command): Command {
  return command.option('--limit <n>', 'items per page (1-1000)').option('--cursor <cursor>', 'the nextCursor of the previous page').option('--all', 'every page');
}

export const nextCursorLine = (page: Page<unknown>): string => (page.nextCursor ? `\nnext page: --cursor ${page.nextCursor}` : '');

export const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;
