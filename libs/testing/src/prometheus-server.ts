import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, type RunningService } from './service-launcher';
import { StopWaiting, waitFor } from './wait-for';

/** One series of an instant query's answer. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A Prometheus answer: `status` "success" or "error" (then `error` says why). */
interface PromAnswer<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

/**
 * Debian's `prometheus` binary (apt-get install prometheus; never its systemd unit) on a free
 * loopback port with a temporary storage directory, scraping the given services every second as
 * job "audience-hub" (the name the alert rules use) and evaluating `ruleFiles` every second.
 */
export class PrometheusServer {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly output: () => string,
  ) {}

  static async start(services: ReadonlyArray<Pick<RunningService, 'name' | 'port'>>, ruleFiles: string[], binary = 'prometheus'): Promise<PrometheusServer> {
    const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      rule_files: ruleFiles,
      scrape_configs: [
        {
          job_name: 'audience-hub',
          honor_labels: true,
          static_configs: services.map((service) => ({ targets: [`127.0.0.1:${service.port}`], labels: { service: service.name } })),
        },
      ],
    };
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    const child = spawn(
      binary,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=1h'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.once('error', (error) => (output += `\n${error.message}`));
    const server = new PrometheusServer(`http://127.0.0.1:${port}`, child, dir, () => output);
    try {
      await waitFor(
        `prometheus ready on port ${port}`,
        async () => {
          if (/ENOENT/.test(output)) throw new StopWaiting(`no ${binary} binary on PATH: install Debian's prometheus package (apt-get install -y prometheus, as .ci/run does)`);
          if (child.exitCode !== null || child.signalCode !== null) throw new StopWaiting(`prometheus exited: ${output.slice(-2_000)}`);
          return (await fetch(`${server.url}/-/ready`).catch(() => undefined))?.status === 200;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** An instant query's series; throws with Prometheus's reason when the query is refused. */
  async query(expr: string): Promise<PromSample[]> {
    const response = await fetch(`${this.url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
    const answer = (await response.json()) as PromAnswer<{ resultType: string; result: PromSample[] | [number, string] }>;
    if (answer.status !== 'success') throw new Error(`prometheus refused ${expr}: ${answer.error}`);
    // A scalar answers one value, not series: made a series without labels.
    return answer.data.resultType === 'scalar' ? [{ metric: {}, value: answer.data.result as [number, string] }] : (answer.data.result as PromSample[]);
  }

  /** The loaded rule groups with each rule's health and last evaluation error. */
  async rules(): Promise<Array<{ name: string; rules: Array<{ name: string; type: string; health: string; lastError?: string; query: string }> }>> {
    const answer = (await (await fetch(`${this.url}/api/v1/rules`)).json()) as PromAnswer<{ groups: Array<{ name: string; rules: never[] }> }>;
    return answer.data.groups;
  }

  /** Scrape targets with their health. */
  async targets(): Promise<Array<{ labels: Record<string, string>; health: string; lastError: string }>> {
    const answer = (await (await fetch(`${this.url}/api/v1/targets?state=active`)).json()) as PromAnswer<{ activeTargets: never[] }>;
    return answer.data.activeTargets;
  }

  logs(): string {
    return this.output();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The expression with `bool` after each comparison outside label matchers and ranges: an alert's
 * condition then answers 0 or 1 for every series it compares, whether or not it would fire, so an
 * empty answer means a series it names does not exist (or the two sides' labels do not match).
 */
export function comparisonsAsBool(expr: string): string {
  let out = '';
  let depth = 0; // inside {...} or [...]
  let quote: string | undefined;
  for (let i = 0; i < expr.length; i++) {
    const char = expr[i];
    if (quote) {
      out += char;
      if (char === '\\') out += expr[++i] ?? '';
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'" || char === '`') quote = char;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') depth--;
    if (depth === 0 && !quote) {
      const operator = /^(==|!=|>=|<=|>|<)/.exec(expr.slice(i))?.[0];
      if (operator) {
        const rest = expr.slice(i + operator.length);
        out += operator + (/^\s*bool\b/.test(rest) ? '' : ' bool');
        i += operator.length - 1;
        continue;
      }
    }
    out += char;
  }
  return out;
}
