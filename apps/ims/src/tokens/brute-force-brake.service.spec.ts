import type { DataSource } from 'typeorm';
import { metricsRegistry } from '@audience-hub/observability';
import { BruteForceBrake } from './brute-force-brake.service';
import { OAuthError } from './oauth-error';
import type { FailureState, TokenFailuresRepository } from './token-failures.repository';

/** The brake's decisions over a fake repository (the SQL is proven by ims.int-spec.ts). */
describe('BruteForceBrake', () => {
  let state: FailureState | undefined;
  let claimWins: boolean;
  const calls: string[] = [];
  const repository = {
    find: async () => state,
    claimAttempt: async () => {
      calls.push('claim');
      if (!claimWins) state = { retryAfterSeconds: 4 };
      return claimWins;
    },
    recordFailure: async () => void calls.push('recordFailure'),
    clear: async () => void calls.push('clear'),
    sweep: async () => 0,
  } as unknown as TokenFailuresRepository;
  const brake = new BruteForceBrake({ manager: {} } as DataSource, repository);
  const refusals = async (reason: string) => (await metricsRegistry.getSingleMetric('ims_token_refusals_total')!.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

  beforeEach(() => {
    state = undefined;
    claimWins = true;
    calls.length = 0;
  });

  it('costs a clean pair no write when the secret is right, and one upsert when it is wrong', async () => {
    await (await brake.admit('client', '10.0.0.1')).succeeded();
    expect(calls).toEqual([]);
    const before = await refusals('invalid_client');
    await (await brake.admit('client', '10.0.0.1')).failed();
    expect(calls).toEqual(['recordFailure']);
    expect(await refusals('invalid_client')).toBe(before + 1);
  });

  it('refuses a locked pair with 429 and its Retry-After, without checking the secret, and counts the refusal', async () => {
    state = { retryAfterSeconds: 8 };
    const before = await refusals('locked');
    const refused = await brake.admit('client', '10.0.0.1').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OAuthError);
    expect(refused).toMatchObject({ status: 429, error: 'temporarily_unavailable', headers: { 'Retry-After': '8' } });
    expect(calls).toEqual([]);
    expect(await refusals('locked')).toBe(before + 1);
  });

  it('counts an attempt of a pair with failures before checking it, and clears the pair on the right secret', async () => {
    state = {};
    const attempt = await brake.admit('client', '10.0.0.1');
    expect(calls).toEqual(['claim']);
    await attempt.failed();
    expect(calls).toEqual(['claim']); // counted already
    await (await brake.admit('client', '10.0.0.1')).succeeded();
    expect(calls).toEqual(['claim', 'claim', 'clear']);
  });

  it('answers 429 when another instance locked the pair between the read and the claim', async () => {
    state = {};
    claimWins = false;
    await expect(brake.admit('client', '10.0.0.1')).rejects.toMatchObject({ status: 429, headers: { 'Retry-After': '4' } });
  });
});
