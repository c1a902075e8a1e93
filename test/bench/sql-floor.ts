import type { Client } from 'pg';
import { backendCpuMeter, secondsSince } from './process-usage';

/**
 * What Postgres alone spends on the rows a flow cannot do without, written set-based from a
 * staging table (nothing to parse, no lookups, no locks, no events): a floor under the flow's own
 * Postgres CPU. With a raw client's CPU for the same Kafka records, it bounds what any design
 * storing these rows could reach on this machine's cores (`ceilingPerSecond`).
 */
export interface SqlFloor {
  seconds: number;
  /** The backend's CPU (user + system), read from /proc. */
  cpuSeconds: number;
  /** The backend's CPU by statement, summed over the batches (read at 10 ms ticks: a share, not an exact split). */
  cpuByStatement: Record<string, number>;
}

/**
 * Runs the named statements of each batch (batch = 0 .. batches-1) on the client's connection,
 * one transaction a batch: their wall time and their backend's CPU, in all and by statement.
 */
export async function timeBatches(admin: Client, batches: number, statementsOf: (batch: number) => Record<string, string>): Promise<SqlFloor> {
  const cpu = await backendCpuMeter(admin);
  const cpuByStatement: Record<string, number> = {};
  const start = process.hrtime.bigint();
  for (let batch = 0; batch < batches; batch++) {
    await admin.query('BEGIN');
    for (const [name, statement] of Object.entries(statementsOf(batch))) {
      const before = cpu();
      await admin.query(statement);
      cpuByStatement[name] = (cpuByStatement[name] ?? 0) + cpu() - before;
    }
    await admin.query('COMMIT');
  }
  return { seconds: secondsSince(start), cpuSeconds: cpu(), cpuByStatement };
}

/** "<s> s = <rate> <unit>/s, its backend's CPU <s> s (<statement> <s>, ...)" */
export function describeFloor(floor: SqlFloor, rows: number, unit: string): string {
  const byStatement = Object.entries(floor.cpuByStatement).map(([name, seconds]) => `${name} ${seconds.toFixed(1)}`);
  const rate = Math.round(rows / floor.seconds).toLocaleString('en-US');
  return `${floor.seconds.toFixed(2)} s = ${rate} ${unit}/s, its backend's CPU ${floor.cpuSeconds.toFixed(1)} s (${byStatement.join(', ')})`;
}

/** Rows a second that `cores` cores could give if each row cost only these CPU seconds. */
export function ceilingPerSecond(rows: number, cpuSecondsPerPart: number[], cores: number): number {
  const perRow = cpuSecondsPerPart.reduce((sum, seconds) => sum + seconds, 0) / rows;
  return cores / perRow;
}

/** Fills `table (batch, ...columns)` from rows made by `rowOf(i)`, 50,000 at a time (not timed). */
export async function stage(admin: Client, table: string, columns: string[], count: number, perBatch: number, rowOf: (i: number) => string[]): Promise<void> {
  for (let first = 0; first < count; first += 50_000) {
    const values: string[][] = columns.map(() => []);
    const batches: number[] = [];
    for (let i = first; i < Math.min(first + 50_000, count); i++) {
      batches.push(Math.floor(i / perBatch));
      rowOf(i).forEach((value, c) => values[c].push(value));
    }
    const unnest = columns.map((_, c) => `$${c + 2}::text[]`).join(', ');
    await admin.query(`INSERT INTO ${table} (batch, ${columns.join(', ')}) SELECT * FROM unnest($1::int[], ${unnest})`, [batches, ...values]);
  }
  await admin.query(`CREATE INDEX ON ${table} (batch)`);
  await admin.query(`ANALYZE ${table}`);
}
