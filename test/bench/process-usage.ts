import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Client } from 'pg';
import type { RunningService } from '@audience-hub/testing';

/** CPU seconds (user + system) the services used so far, by service (Linux). */
export function cpuSeconds(services: RunningService[]): number[] {
  return services.map((service) => processCpuSeconds(service.process.pid));
}

/**
 * CPU seconds the Postgres backends of this role's open connections to the client's database used
 * so far (Linux; the database on this machine).
 */
export async function backendsCpuSeconds(client: Client, role: string): Promise<number> {
  const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE usename = $1 AND datname = current_database()`, [role]);
  return rows.reduce((sum, { pid }) => sum + processCpuSeconds(pid), 0);
}

/** A meter of the CPU seconds that the client's own Postgres backend uses from now on (Linux; the database on this machine). */
export async function backendCpuMeter(client: Client): Promise<() => number> {
  const [{ pid }] = (await client.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)).rows;
  const before = processCpuSeconds(pid);
  return () => processCpuSeconds(pid) - before;
}

/** A meter of the CPU seconds (user + system) this process uses from now on. */
export function ownCpuMeter(): () => number {
  const before = process.cpuUsage();
  return () => {
    const { user, system } = process.cpuUsage(before);
    return (user + system) / 1e6;
  };
}

/** Wall seconds since `start` (a `process.hrtime.bigint()`). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** CPU seconds (user + system) a process of this machine used so far; 0 once it is gone. */
function processCpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** "name s, name s": CPU each service used since `before` (a `cpuSeconds` of the same services). */
export function cpuSpent(services: RunningService[], before: number[], labels: string[] = services.map((service) => service.name)): string {
  const now = cpuSeconds(services);
  return services.map((_, i) => `${labels[i]} ${(now[i] - before[i]).toFixed(1)} s`).join(', ');
}

/**
 * How busy the whole machine's cores were since it was called (Linux /proc/stat): what bounds a
 * scale-out when every process shares the same cores.
 */
export function machineCpu(): { busyShare(): string } {
  const sample = () => {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    return { idle, total: fields.reduce((sum, n) => sum + n, 0) };
  };
  const before = sample();
  return {
    busyShare: () => {
      const now = sample();
      const busy = 1 - (now.idle - before.idle) / Math.max(1, now.total - before.total);
      return `${Math.round(busy * 100)}% of ${cpus().length} cores`;
    },
  };
}

/** A process's peak resident memory so far, in MB (Linux VmHWM); undefined once it is gone. */
export function peakRssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Node arguments that write a V8 CPU profile of a service into `dir` when it stops (none without a dir). */
export function cpuProfileArgs(dir: string | undefined): string[] {
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
