import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope' | 'temporarily_unavailable' | 'server_error';

/** An RFC 6749 section 5.2 error of the token endpoint (not problem+json: OAuth clients parse this shape). */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
  }

  static invalidRequest(description: string): OAuthError {
    return new OAuthError(400, 'invalid_request', description);
  }

  /** 401 with a Basic challenge, whichever way the client authenticated (RFC 6749 section 5.2). */
  static invalidClient(): OAuthError {
    return new OAuthError(401, 'invalid_client', 'client authentication failed', { 'WWW-Authenticate': 'Basic realm="ims", charset="UTF-8"' });
  }

  static tooManyRequests(retryAfterSeconds: number): OAuthError {
    return new OAuthError(429, 'temporarily_unavailable', `too many token requests; retry in ${retryAfterSeconds} s`, { 'Retry-After': String(retryAfterSeconds) });
  }
}

/** Writes OAuth errors of the token endpoint; anything unexpected becomes `server_error`. */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('token');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const error = exception instanceof OAuthError ? exception : new OAuthError(500, 'server_error', 'the token could not be issued');
    if (!(exception instanceof OAuthError)) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    response.set({ ...error.headers, 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    response.status(error.status).json({ error: error.error, error_description: error.description });
  }
}
