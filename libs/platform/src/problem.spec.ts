import { NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { z } from 'zod';
import { DomainError, ERROR_CODES, toProblem } from './problem';

describe('problem+json', () => {
  it('answers a domain error with its code as the type and the status its code has', () => {
    expect(toProblem(new DomainError('unknown-data-source', 'no data source ds-1 in this org', { dataSourceId: 'ds-1' }), '/v1/imports')).toEqual({
      type: 'https://audience-hub.dev/problems/unknown-data-source',
      title: 'Unprocessable content',
      status: 422,
      detail: 'no data source ds-1 in this org',
      instance: '/v1/imports',
      dataSourceId: 'ds-1',
    });
  });

  it('gives every code a status that has a title', () => {
    for (const code of Object.keys(ERROR_CODES) as Array<keyof typeof ERROR_CODES>) {
      expect(toProblem(new DomainError(code, 'x')).title).not.toBe('Error');
    }
  });

  it("answers the framework's own errors and invalid shapes too", () => {
    expect(toProblem(new NotFoundException('Cannot GET /nope'))).toMatchObject({ type: 'https://audience-hub.dev/problems/not-found', status: 404, detail: 'Cannot GET /nope' });
    expect(toProblem(new PayloadTooLargeException())).toMatchObject({ status: 413, type: 'https://audience-hub.dev/problems/payload-too-large' });
    const invalid = z.object({ limit: z.number() }).safeParse({});
    expect(toProblem(invalid.error)).toMatchObject({ status: 400, type: 'https://audience-hub.dev/problems/validation', errors: [expect.stringContaining('limit')] });
    expect(toProblem(new Error('boom'))).toMatchObject({ status: 500, type: 'https://audience-hub.dev/problems/internal' });
  });
});
