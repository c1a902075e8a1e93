import { spawn, type ChildProcess } from 'node:child_process';
import { StopWaiting, waitFor } from './wait-for';

/** Servers this process started: killed when it exits, so a test stopped halfway leaves none behind. */
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/**
 * A server run as a foreground child on a loopback port (sshd -D, java -jar): started, waited for
 * until `ready` answers, stopped and started again on the same port (to test an outage).
 */
export class ChildServer {
  private child?: ChildProcess;
  private output = '';

  constructor(
    private readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly ready: () => Promise<boolean>,
    private readonly missingHint: string,
  ) {}

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server unless it runs. */
  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn(this.command, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    started.add(child);
    child.stdout?.on('data', (chunk) => (this.output += chunk));
    child.stderr?.on('data', (chunk) => (this.output += chunk));
    child.once('error', (error) => (this.output += `\n${error.message}`));
    child.once('exit', () => started.delete(child));
    try {
      await waitFor(
        `${this.name} ready`,
        async () => {
          if (/ENOENT/.test(this.output)) throw new StopWaiting(`no ${this.command}: ${this.missingHint}`);
          if (child.exitCode !== null || child.signalCode !== null) throw new StopWaiting(`${this.name} exited: ${this.output.slice(-2_000)}`);
          return this.ready();
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  logs(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
