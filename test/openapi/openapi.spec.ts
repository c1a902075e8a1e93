import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIObject } from '@nestjs/swagger';
import { describeService, renderOpenApi, SERVICES } from './services';

type Operation = {
  operationId: string;
  parameters?: Array<{ name: string; in: string; schema?: unknown }>;
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: Array<Record<string, string[]>>;
  description?: string;
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** POST routes whose only input is the path: an action on the resource named there. */
const BODILESS_ACTIONS = ['SecretsController_add', 'AccountsController_revoke', 'SigningKeysController_rotate'];

/** A body is a DTO's named schema (an untyped `@Body() body: unknown` would be a bare object), or a file's bytes. */
function isNamedOrBinary(schema: unknown): boolean {
  const { $ref, type, format } = (schema ?? {}) as { $ref?: string; type?: string; format?: string };
  return $ref !== undefined || (type === 'string' && format === 'binary');
}

function operations(document: OpenAPIObject): Array<[string, Operation]> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => (item as Record<string, unknown>)[method]).map((method): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      (item as Record<string, Operation>)[method],
    ]),
  );
}

describe.each(SERVICES.map((service) => [service.descriptor.name, service] as const))('the OpenAPI document of %s', (name, { descriptor, modules }) => {
  let document: OpenAPIObject;
  beforeAll(async () => {
    document = await describeService(descriptor, modules);
  });

  it(`matches the committed docs/openapi/${name}.json`, () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'openapi', `${name}.json`), 'utf8');
    if (committed !== renderOpenApi(document)) throw new Error(`docs/openapi/${name}.json is out of date: run \`npm run openapi\``);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('gives every route a success answer with a schema, or none for 204', () => {
    const missing = operations(document).filter(([, operation]) => {
      const success = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
      return success.length === 0 || success.some(([status, response]) => status !== '204' && !Object.values(response.content ?? {}).every((media) => media.schema));
    });
    expect(missing.map(([route]) => route)).toEqual([]);
  });

  it('gives every route that takes a body a request schema, and every parameter a schema', () => {
    const missing = operations(document).filter(
      ([, operation]) =>
        (operation.requestBody ? !Object.values(operation.requestBody.content).every((media) => isNamedOrBinary(media.schema)) : false) ||
        (operation.parameters ?? []).some((parameter) => !parameter.schema),
    );
    expect(missing.map(([route]) => route)).toEqual([]);
    const bodiless = operations(document).filter(
      ([route, operation]) => /^(POST|PUT|PATCH) /.test(route) && !operation.requestBody && !BODILESS_ACTIONS.includes(operation.operationId),
    );
    expect(bodiless.map(([route]) => route)).toEqual([]);
  });

  it('names every schema after its own class or title, so that none hides another of the same name', () => {
    expect(Object.keys(document.components?.schemas ?? {}).filter((schema) => schema === 'AugmentedZodDto' || schema === '')).toEqual([]);
  });

  it('documents limit and cursor on every paged route', () => {
    const paged = operations(document).filter(([, operation]) => JSON.stringify(operation.responses['200'] ?? {}).includes('Page"'));
    expect(paged.length).toBeGreaterThan(0);
    for (const [route, operation] of paged) {
      const query = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
      expect({ route, query: query.filter((parameter) => parameter === 'limit' || parameter === 'cursor') }).toEqual({ route, query: ['limit', 'cursor'] });
    }
  });

  it('names the scopes of every authenticated route, answers 401 and 403 as problems, and every problem with the shared Problem schema', () => {
    for (const [route, operation] of operations(document)) {
      const problems = Object.entries(operation.responses).filter(([status]) => /^[45]/.test(status) && operation.responses[status].content?.['application/problem+json']);
      for (const [, response] of problems) expect(response.content!['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
      const scopes = (operation.security ?? []).flatMap((requirement) => requirement.ims ?? []);
      if (operation.security === undefined) continue;
      expect({ route, scoped: scopes.length > 0 }).toEqual({ route, scoped: true });
      expect({ route, statuses: problems.map(([status]) => status).filter((status) => status === '401' || status === '403') }).toEqual({ route, statuses: ['401', '403'] });
      for (const scope of scopes) expect(operation.description).toContain(`\`${scope}\``);
    }
  });
});
