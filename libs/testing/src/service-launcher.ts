import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { REPO_ROOT } from './infra';
import { StopWaiting, waitFor } from './wait-for';

export type HubServiceName = 'ims' | 'id-reconciliation' | 'audience-import' | 'audience-export';

export interface RunningService {
  name: HubServiceName;
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the process wrote, for assertions and failure messages. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Throws StopWaiting, with the end of its output, once the process has exited (by a signal too): a waitFor probe's first line. */
  assertRunning(): void;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Services this process started and that still run: killed when it exits, so a test or benchmark
 * stopped halfway (a timeout, Ctrl-C through a signal handler that exits) leaves no service behind
 * holding its consumer group's partitions.
 */
const launched = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of launched) child.kill('SIGKILL');
});

/**
 * Starts one service from the build (`npm run build`) as its own process and waits until
 * /health/ready answers 200.
 */
export async function launchService(name: HubServiceName, env: Record<string, string>, { readyTimeoutMs = 60_000, nodeArgs = [] as string[] } = {}): Promise<RunningService> {
  const port = Number(env.PORT ?? (await freePort()));
  const entry = resolve(REPO_ROOT, 'dist/apps', name, 'src/main.js');
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  launched.add(child);
  child.once('exit', () => launched.delete(child));
  let output = '';
  const assertRunning = () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new StopWaiting(`${name} exited with ${child.exitCode ?? child.signalCode}: ${output.slice(-4_000)}`);
  };
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code, signal) => {
      output += `\n[${name} exited: code ${code}, signal ${signal}]\n`;
      resolveExit(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `${name} ready on ${url}`,
      async () => {
        assertRunning();
        const response = await fetch(`${url}/health/ready`).catch(() => undefined);
        return response?.status === 200;
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 200 },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- ${name} output ---\n${output.slice(-4000)}`);
  }
  return {
    name,
    url,
    port,
    process: child,
    output: () => output,
    assertRunning,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
