import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ZodError } from 'zod';

/** RFC 9457 problem details; `type` is stable per kind of error. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: string[];
  [extension: string]: unknown;
}

const TYPE_BASE = 'https://audience-hub.dev/problems/';

/**
 * Every kind of error the services' APIs answer with, and its HTTP status: the closed set of
 * problem types (`https://audience-hub.dev/problems/<code>`). A use case names the kind; only the
 * filter knows HTTP.
 */
export const ERROR_CODES = {
  'bad-request': 400,
  'bad-file-name': 400,
  'bad-gzip': 400,
  'invalid-token': 401,
  'insufficient-scope': 403,
  'scope-not-held': 403,
  'not-found': 404,
  conflict: 409,
  'account-revoked': 409,
  'built-in-data-source': 409,
  'duplicate-segment-name': 409,
  'list-taken': 409,
  'too-many-secrets': 409,
  'unsupported-media-type': 415,
  'file-refused': 422,
  'unknown-audience': 422,
  'unknown-data-source': 422,
  'unknown-list': 422,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A domain error of a known kind, e.g. `new DomainError('not-found', 'no import imp-1')`; ProblemFilter answers it as problem+json. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

/** Titles of the statuses, and the problem types of errors the framework throws (an unknown route, a body too large). */
const titles: Record<number, [string, string]> = {
  400: ['bad-request', 'Bad request'],
  401: ['unauthorized', 'Unauthorized'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  422: ['unprocessable', 'Unprocessable content'],
  429: ['too-many-requests', 'Too many requests'],
  503: ['unavailable', 'Service unavailable'],
};

export function toProblem(error: unknown, instance?: string): Problem {
  if (error instanceof ZodError) {
    return {
      type: `${TYPE_BASE}validation`,
      title: 'Invalid request',
      status: 400,
      detail: 'The request does not match the expected shape.',
      errors: error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`),
      instance,
    };
  }
  if (error instanceof DomainError) {
    return { type: `${TYPE_BASE}${error.code}`, title: titles[error.status]?.[1] ?? 'Error', status: error.status, detail: error.detail, instance, ...error.extensions };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const [kind, title] = titles[status] ?? ['error', HttpStatus[status] ?? 'Error'];
    const message = typeof body === 'string' ? body : (body as { message?: string | string[] }).message;
    return { type: `${TYPE_BASE}${kind}`, title, status, detail: Array.isArray(message) ? message.join('; ') : message, instance };
  }
  return { type: `${TYPE_BASE}internal`, title: 'Internal error', status: 500, detail: 'An unexpected error occurred.', instance };
}

/** Every HTTP error leaves as application/problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const problem = toProblem(error, request?.originalUrl);
    if (problem.status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    const headers = (error as { headers?: Record<string, string> })?.headers;
    if (headers) for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
