import type { SuppressionsRepository } from '@audience-hub/platform';
import type { EntityManager } from 'typeorm';
import type { DataSourcesRepository } from '../../data-sources/data-sources.repository';
import type { DataSourceModel } from '../../data-sources/data-source.model';
import type { ResolutionRepository } from '../resolution.repository';
import { InvalidIdsError, ResolveUseCase, UnknownDataSourceError } from './resolve.usecase';

const tx = {} as EntityManager;
const visitor = { id: 'visitor', idType: 'visitor' } as DataSourceModel;
const crm = { id: 'crm', idType: 'declared', reconciliationKey: { attribute: 'email', normalization: ['trim', 'lowercase'] } } as DataSourceModel;

function useCase(resolution: Partial<ResolutionRepository>, sources: DataSourceModel[] = [visitor, crm]) {
  const dataSources = { find: async (_tx: EntityManager, _org: string, id: string) => sources.find((ds) => ds.id === id) } as unknown as DataSourcesRepository;
  return new ResolveUseCase(
    dataSources,
    resolution as ResolutionRepository,
    { withoutSuppressed: async (_tx: unknown, _orgId: string, _namespace: string, ids: readonly string[]) => [...ids] } as unknown as SuppressionsRepository,
  );
}

describe('ResolveUseCase', () => {
  it('answers every asked id, in the order asked: matched once per value it resolved to, or unmatched', async () => {
    const resolve = useCase({
      recipientsToVisitors: async () => [
        [1, 'e1-new'],
        [1, 'e1-old'],
        [3, 'e3'],
      ],
    });
    expect(await resolve.execute(tx, 'org', 'visitor', 'to-xc', ['r1', 'r2', 'r3', 'r4'])).toEqual({
      matched: [
        { id: 'e1-new', recipientId: 'r1' },
        { id: 'e1-old', recipientId: 'r1' },
        { id: 'e3', recipientId: 'r3' },
      ],
      unmatched: ['r2', 'r4'],
    });
  });

  it('answers an id asked twice twice, by position', async () => {
    const [e0, e1] = ['0'.repeat(38), '1'.repeat(38)];
    const resolve = useCase({
      visitorsToRecipients: async () => [
        [2, 'r1'],
        [3, 'r1'],
      ],
    });
    expect(await resolve.execute(tx, 'org', 'visitor', 'to-recipients', [e0, e1, e1])).toEqual({
      matched: [
        { id: e1, recipientId: 'r1' },
        { id: e1, recipientId: 'r1' },
      ],
      unmatched: [e0],
    });
  });

  it('looks declared ids up normalised and answers them as asked', async () => {
    let looked: string[] = [];
    const resolve = useCase({
      declaredToRecipients: async (_tx, _org, _ds, normalized) => {
        looked = normalized;
        return [[1, 'r9']];
      },
    });
    expect(await resolve.execute(tx, 'org', 'crm', 'to-recipients', [' Ann@Example.com', 'bob@example.com'])).toEqual({
      matched: [{ id: ' Ann@Example.com', recipientId: 'r9' }],
      unmatched: ['bob@example.com'],
    });
    expect(looked).toEqual(['ann@example.com', 'bob@example.com']);
  });

  it('refuses the whole call, looking nothing up, when an id can never match', async () => {
    const lookups: string[] = [];
    const lookup = (name: string) => async () => {
      lookups.push(name);
      return [];
    };
    const resolve = useCase({ visitorsToRecipients: lookup('visitors'), declaredToRecipients: lookup('declared'), recipientsToDeclared: lookup('recipients') });
    const ecid = '1'.repeat(38);
    const refused = (ds: string, direction: 'to-recipients' | 'to-xc', ids: string[]) =>
      resolve.execute(tx, 'org', ds, direction, ids).then(
        () => undefined,
        (error) => error,
      );

    const short = await refused('visitor', 'to-recipients', [ecid, '1'.repeat(37)]);
    expect(short).toBeInstanceOf(InvalidIdsError);
    expect(short).toMatchObject({ dataSourceId: 'visitor', invalid: [{ index: 1, reason: 'ECID must be exactly 38 decimal digits' }] });
    // Declared ids are checked normalised (the source trims): blanks are refused, padding is not.
    expect(await refused('crm', 'to-recipients', [' Ann@Example.com ', '  ', 'a:b'])).toMatchObject({
      invalid: [
        { index: 1, reason: 'declared ID must not be empty after normalisation' },
        { index: 2, reason: 'declared ID must not contain ":"' },
      ],
    });
    expect(await refused('crm', 'to-xc', ['r1', 'r 2'])).toMatchObject({ invalid: [{ index: 1, reason: expect.stringMatching(/^recipient id must be 1..64/) }] });
    expect(lookups).toEqual([]);
  });

  it('refuses an unknown data source', async () => {
    await expect(useCase({}).execute(tx, 'org', 'nope', 'to-xc', ['r1'])).rejects.toBeInstanceOf(UnknownDataSourceError);
  });
});
