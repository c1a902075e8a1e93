import { applyDecorators, type Type } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import type { z } from 'zod';
import { PageQuerySchema } from '@audience-hub/contracts';

/** The problem statuses a route documents; each is answered as the shared `Problem` (application/problem+json). */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

const PROBLEM_DESCRIPTIONS: Record<ProblemStatus, string> = {
  400: 'The request is malformed: `validation` (with `errors`) or `bad-request`',
  401: 'No valid IMS access token (`invalid-token`)',
  403: 'The token lacks the scope the route requires (`insufficient-scope`)',
  404: "Not found in the caller's org (`not-found`)",
  409: 'Conflicts with the current state',
  413: 'The body is too large',
  415: 'Unsupported media type',
  422: 'Well-formed, but refers to something unusable',
  429: 'Too many requests',
  503: 'Not ready',
};

export interface RouteDocumentation {
  summary: string;
  description?: string;
  /** The success answer's schema; it needs a `.meta({ title })` (its name in the document). Leave out for 204. */
  answer?: z.ZodType;
  /** An array of `answer`. */
  many?: boolean;
  /** Defaults to 200 (201 for a POST without @HttpCode is Nest's, and is not what these routes answer). */
  status?: number;
  /** An example of the success answer. */
  example?: unknown;
  /** Documented problem answers besides 401 and 403, which every authenticated route has. */
  problems?: ProblemStatus[];
  /** Public routes (no token): 401 and 403 are not documented. */
  public?: boolean;
  /** A paged route (`?limit=&cursor=`): documents its 400. */
  paged?: boolean;
  /** A body the route reads itself (a form, a stream), documented without a DTO. */
  body?: Parameters<typeof ApiBody>[0];
}

const dtos = new WeakMap<z.ZodType, Type<unknown>>();

/**
 * The response class of a schema for @nestjs/swagger, named by its `.meta({ title })`, made once.
 * Titles rather than zod ids name the schemas: zod 4.6 turns a root schema with an id into a `$ref`,
 * which nestjs-zod 5.5's cleanupOpenApiDoc cannot unwrap.
 */
export function responseDto(schema: z.ZodType): Type<unknown> {
  let dto = dtos.get(schema);
  if (!dto) {
    const id = schema.meta()?.title;
    if (!id) throw new Error('a response schema needs .meta({ title }), its name in the OpenAPI document');
    dto = createZodDto(schema);
    Object.defineProperty(dto, 'name', { value: id });
    dtos.set(schema, dto);
  }
  return dto;
}

/** A request DTO: `class CreateThingDto extends requestDto(CreateThingSchema) {}`, typed as what the schema outputs. */
export function requestDto<T extends z.ZodType>(schema: T) {
  return createZodDto(schema);
}

/** `?limit=&cursor=` of a paged route: `@Query() query: PageQueryDto`, then `pageRequest(query)`. */
export class PageQueryDto extends requestDto(PageQuerySchema) {}

/**
 * Documents one route for the OpenAPI document: summary, success answer, problem answers, the paging
 * query. The request body, query and path are documented from the route's DTO parameters; scopes come
 * from @RequireScopes (libs/auth) and reach the description when the document is built.
 */
export function ApiRoute(doc: RouteDocumentation): MethodDecorator {
  const status = doc.status ?? 200;
  const decorators: Array<MethodDecorator> = [ApiOperation({ summary: doc.summary, description: doc.description })];
  if (doc.answer) {
    const type = responseDto(doc.answer);
    decorators.push(ApiResponse({ status, type: doc.many ? [type] : type, description: 'Success', ...(doc.example === undefined ? {} : { example: doc.example }) }));
  } else {
    decorators.push(ApiResponse({ status, description: 'Done; no content' }));
  }
  const problems = new Set<ProblemStatus>(doc.problems ?? []);
  if (!doc.public) {
    problems.add(401);
    problems.add(403);
  }
  if (doc.paged) problems.add(400);
  if (doc.body) decorators.push(ApiBody(doc.body));
  for (const problem of [...problems].sort()) {
    decorators.push(
      ApiResponse({ status: problem, description: PROBLEM_DESCRIPTIONS[problem], content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }),
    );
  }
  return applyDecorators(...decorators);
}
