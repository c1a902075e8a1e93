import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { launchService, REPO_ROOT, testEnv } from '@audience-hub/testing';

const env = testEnv();
const SERVICE = 'id-reconciliation';

/** `main.js migrate` (or a plain start) of the built service as its own process. */
function run(args: string[], extra: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(REPO_ROOT, 'dist/apps', SERVICE, 'src/main.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env.serviceEnv(SERVICE), DATABASE_MIGRATIONS: 'verify', ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => done({ code, output }));
  });
}

const outcomeOf = (output: string): { applied: string[]; pending: string[] } => {
  const line = output.split('\n').find((candidate) => candidate.includes('"migrations done"'));
  if (!line) throw new Error(`no outcome in:\n${output}`);
  return JSON.parse(line);
};

describe('migrations run once', () => {
  const db = new Client({ connectionString: env.databaseUrl });
  beforeAll(() => db.connect());
  afterAll(() => db.end());

  it('four migrate commands started at once on an empty schema: exactly one applies the migrations, each once', async () => {
    const schema = `idrec_migrate_${randomBytes(4).toString('hex')}`;
    const runs = await Promise.all([1, 2, 3, 4].map(() => run(['migrate'], { DATABASE_SCHEMA: schema })));
    for (const { code, output } of runs) expect({ code, output }).toEqual({ code: 0, output: expect.any(String) });
    const outcomes = runs.map(({ output }) => outcomeOf(output));
    const appliers = outcomes.filter((outcome) => outcome.applied.length > 0);
    expect(appliers).toHaveLength(1);
    expect(outcomes.every((outcome) => outcome.pending.length === 0)).toBe(true);
    const { rows } = await db.query(`SELECT name, count(*)::int AS times FROM ${schema}.${schema}_migrations GROUP BY name`);
    expect(rows.map((row) => row.name).sort()).toEqual([...appliers[0].applied].sort());
    expect(rows.every((row) => row.times === 1)).toBe(true);
    // A later migrate finds nothing to do.
    expect(outcomeOf((await run(['migrate'], { DATABASE_SCHEMA: schema })).output).applied).toEqual([]);
  });

  it('a service refuses to start while migrations it needs are pending, saying how to run them; it starts once they ran', async () => {
    const schema = `idrec_verify_${randomBytes(4).toString('hex')}`;
    const refused = await run([], { DATABASE_SCHEMA: schema, PORT: '0' });
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`schema ${schema} lacks`);
    expect(refused.output).toContain(`node dist/apps/${SERVICE}/src/main.js migrate`);
    const [{ exists }] = (await db.query(`SELECT to_regnamespace($1) IS NOT NULL AS exists`, [schema])).rows;
    expect(exists).toBe(false); // verifying writes nothing

    expect((await run(['migrate'], { DATABASE_SCHEMA: schema })).code).toBe(0);
    const service = await launchService(SERVICE, { ...env.serviceEnv(SERVICE), DATABASE_MIGRATIONS: 'verify', DATABASE_SCHEMA: schema });
    await service.stop();
  });

  it('an unknown command is refused', async () => {
    const outcome = await run(['migrat'], {});
    expect(outcome.code).not.toBe(0);
    const fatal = JSON.parse(outcome.output.trim().split('\n').pop() ?? '{}');
    expect(fatal.msg).toBe('cannot start: unknown command "migrat": run without arguments to start the service, or with "migrate"');
  });
});
