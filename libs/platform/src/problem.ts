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

/** An HTTP error with a stable problem type, e.g. `new ProblemException(404, 'not-found', 'No import imp-1')`. */
export class ProblemException extends HttpException {
  constructor(status: number, kind: string, detail: string, extensions: Record<string, unknown> = {}) {
    super({ kind, detail, ...extensions }, status);
  }
}

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
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const [kind, title] = titles[status] ?? ['error', HttpStatus[status] ?? 'Error'];
    if (typeof body === 'object' && body && 'kind' in body) {
      const { kind: ownKind, detail, ...extensions } = body as { kind: string; detail?: string };
      return { type: `${TYPE_BASE}${ownKind}`, title, status, detail, instance, ...extensions };
    }
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
    if (problem.status >= 500) this.logger.error(error instanceof Error ? error.stack ?? error.message : String(error));
    const headers = (error as { headers?: Record<string, string> })?.headers;
    if (headers) for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
