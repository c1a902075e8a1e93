import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { AuthError, HubApiError, type ImportView } from '@audience-hub/client';
import { bashCompletion } from './commands/completion.command';
import { parsePolicy } from './commands/policies.command';
import { exitCodeOf, exitCodeOfState, UsageError } from './exit-codes';
import { importFrame, importSettled } from './import-progress';
import { createProgram } from './program';
import { CliTokenSource, readCachedToken, tokenFile, writeCachedToken } from './token-cache';

const problem = (status: number, kind: string) => new HubApiError(status, { type: `https://audience-hub.dev/problems/${kind}`, status }, 'GET', 'http://x');

describe('exit codes', () => {
  it('maps outcomes and errors to 0 done, 1 failed, 2 usage, 3 denied, 4 auth', () => {
    expect(exitCodeOfState('completed')).toBe(0);
    expect(exitCodeOfState('failed')).toBe(1);
    expect(exitCodeOfState('denied')).toBe(3);
    expect(exitCodeOf(new UsageError('x'))).toBe(2);
    expect(exitCodeOf(new CommanderError(1, 'commander.missingMandatoryOptionValue', 'x'))).toBe(2);
    expect(exitCodeOf(new CommanderError(0, 'commander.helpDisplayed', 'x'))).toBe(0);
    expect(exitCodeOf(new AuthError('x'))).toBe(4);
    expect(exitCodeOf(problem(403, 'forbidden'))).toBe(4);
    expect(exitCodeOf(problem(400, 'validation'))).toBe(2);
    expect(exitCodeOf(problem(404, 'not-found'))).toBe(1);
    expect(exitCodeOf(new Error('boom'))).toBe(1);
  });
});

describe('import progress', () => {
  const view = (over: Partial<ImportView>): ImportView => ({
    id: 'imp-1',
    state: 'running',
    audienceId: '1',
    listId: 'l',
    listLabel: null,
    dataSourceId: 'visitor',
    mode: 'full',
    counts: { received: 0, matched: 0, unmatched: 0, pending: 0, added: 0, removed: 0, invalid: 0 },
    matchRate: 0,
    decision: null,
    reason: null,
    snapshots: 0,
    lateMatched: 0,
    receiving: null,
    createdAt: '',
    updatedAt: '',
    ...over,
  });

  it('counts parts of the snapshot arriving, with an ETA once the last part is known', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const receiving = { partsReceived: 2, lastPart: 4, received: 20, matched: 15, unmatched: 5, startedAt: new Date(start).toISOString() };
    const frame = importFrame(view({ receiving }), start, start + 10_000);
    expect(frame).toMatchObject({ value: 2, total: 5, elapsedSeconds: 10, etaSeconds: 15 });
    expect(frame.detail).toBe('running | parts 2/5 | matched 15 unmatched 5 | match rate 75.0%');
    expect(importFrame(view({ receiving: { ...receiving, lastPart: null } }), start, start + 10_000)).toMatchObject({ value: 2, total: 3, etaSeconds: undefined });
  });

  it('ends at 100% once settled', () => {
    const done = view({ state: 'completed', counts: { received: 10, matched: 8, unmatched: 2, pending: 2, added: 8, removed: 0, invalid: 0 }, matchRate: 0.8 });
    expect(importSettled(done)).toBe(true);
    expect(importSettled(view({ state: 'pending' }))).toBe(false);
    const frame = importFrame(done, 0, 1000, 5);
    expect(frame).toMatchObject({ value: 5, total: 5, etaSeconds: 0 });
    expect(frame.detail).toBe('completed | parts 5/5 | matched 8 unmatched 2 | match rate 80.0%');
  });
});

describe('policies set arguments', () => {
  it('parses <action>=<labels> and refuses unknown actions and labels', () => {
    expect(parsePolicy('import-into-campaign=C3,C12')).toEqual({ action: 'import-into-campaign', deniedLabels: ['C3', 'C12'] });
    expect(parsePolicy('share-to-experience-cloud=')).toEqual({ action: 'share-to-experience-cloud', deniedLabels: [] });
    expect(() => parsePolicy('sell=C1')).toThrow(UsageError);
    expect(() => parsePolicy('import-into-campaign=C99')).toThrow('unknown data-usage label "C99"');
    expect(() => parsePolicy('import-into-campaign')).toThrow(UsageError);
  });
});

describe('token cache', () => {
  it('lives under XDG_CONFIG_HOME, written 0600, and serves the token only for its IMS', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hub-cli-'));
    const file = tokenFile({ XDG_CONFIG_HOME: home });
    expect(file).toBe(join(home, 'audience-hub', 'token.json'));
    writeCachedToken(file, { accessToken: 'tok', expiresAt: Date.now() + 3_600_000, imsUrl: 'http://ims', clientId: 'c' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readCachedToken(file)).not.toHaveProperty('clientSecret');
    await expect(new CliTokenSource(file, 'http://ims').token()).resolves.toBe('tok');
    await expect(new CliTokenSource(file, 'http://other-ims').token()).rejects.toBeInstanceOf(AuthError);
  });
});

describe('bash completion', () => {
  it('names every command group and their subcommands', () => {
    const script = bashCompletion(createProgram());
    for (const words of [
      '"import") words="start watch ls show"',
      '"share") words="create ls show update watch unmapped"',
      '"policies") words="get set"',
      '"data-sources") words="ls show create stats"',
    ]) {
      expect(script).toContain(words);
    }
    expect(script).toContain('complete -F _hub_complete hub');
  });
});
