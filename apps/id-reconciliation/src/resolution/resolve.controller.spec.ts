import type { SuppressionsRepository } from '@audience-hub/platform';
import type { DataSource } from 'typeorm';
import { RequestValidationPipe, toProblem, type KnownOrgsService } from '@audience-hub/platform';
import type { DataSourcesRepository } from '../data-sources/data-sources.repository';
import type { DataSourceModel } from '../data-sources/data-source.model';
import type { ResolutionRepository } from './resolution.repository';
import { ResolveController, ResolveRequestDto } from './resolve.controller';
import { ResolveUseCase } from './usecases/resolve.usecase';

const sources = [
  { id: 'visitor', idType: 'visitor' },
  { id: 'crm', idType: 'declared', reconciliationKey: { attribute: 'email', normalization: ['trim', 'lowercase'] } },
] as DataSourceModel[];

function controller() {
  const dataSources = { find: async (_tx: unknown, _org: string, id: string) => sources.find((ds) => ds.id === id) } as unknown as DataSourcesRepository;
  const nothingMatches = async () => [];
  const resolution = {
    visitorsToRecipients: nothingMatches,
    declaredToRecipients: nothingMatches,
    recipientsToVisitors: nothingMatches,
    recipientsToDeclared: nothingMatches,
  } as unknown as ResolutionRepository;
  const orgs = { ensureKnown: async () => undefined } as unknown as KnownOrgsService;
  return new ResolveController(
    { manager: {} } as DataSource,
    orgs,
    new ResolveUseCase(dataSources, resolution, {
      withoutSuppressed: async (_tx: unknown, _orgId: string, _namespace: string, ids: readonly string[]) => [...ids],
    } as unknown as SuppressionsRepository),
  );
}

/** The route as Nest runs it: the body through the validation pipe, then the controller. */
async function post(body: unknown) {
  return controller().post('org', await new RequestValidationPipe().transform(body, { type: 'body', metatype: ResolveRequestDto }));
}

/** What the problem filter would answer for the call. */
async function problemOf(body: unknown) {
  try {
    await post(body);
  } catch (error) {
    return toProblem(error, '/v1/resolve');
  }
  throw new Error('the call was not refused');
}

describe('POST /v1/resolve', () => {
  it('refuses ids that are not ECIDs for the visitor source with a validation problem naming each index', async () => {
    const ecid = '7'.repeat(38);
    expect(await problemOf({ dataSourceId: 'visitor', direction: 'to-recipients', ids: [ecid, '7'.repeat(37), ecid, 'crm-42'] })).toEqual({
      type: 'https://audience-hub.dev/problems/validation',
      title: 'Invalid request',
      status: 400,
      detail: 'The request does not match the expected shape.',
      errors: ['ids.1: ECID must be exactly 38 decimal digits', 'ids.3: ECID must be exactly 38 decimal digits'],
      instance: '/v1/resolve',
    });
  });

  it('answers bad ids the same way as a request of the wrong shape', async () => {
    const shape = await problemOf({ dataSourceId: 'visitor', direction: 'to-recipients', ids: ['x'.repeat(257)] });
    const ids = await problemOf({ dataSourceId: 'crm', direction: 'to-recipients', ids: ['ann@example.com', ' a:b'] });
    expect({ ...ids, errors: undefined }).toEqual({ ...shape, errors: undefined });
    expect(ids.errors).toEqual(['ids.1: declared ID must not contain ":"']);
  });

  it('refuses recipient ids to-xc, and ids of no data source as not found first', async () => {
    expect((await problemOf({ dataSourceId: 'crm', direction: 'to-xc', ids: ['r1', 'ann@example.com'] })).errors).toEqual([
      'ids.1: recipient id must be 1..64 characters of A-Z a-z 0-9 . _ : -',
    ]);
    expect(await problemOf({ dataSourceId: 'nope', direction: 'to-xc', ids: ['r 1'] })).toMatchObject({ status: 404, type: 'https://audience-hub.dev/problems/not-found' });
  });

  it('answers valid ids 200 as before, matched or not', async () => {
    expect(await post({ dataSourceId: 'crm', direction: 'to-recipients', ids: [' Ann@Example.com '] })).toEqual({
      matched: [],
      unmatched: [' Ann@Example.com '],
    });
  });
});
