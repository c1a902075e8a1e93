import pino, { type Logger, type LoggerOptions } from 'pino';
import { isTracingEnabled, traceLogFields } from './tracing/spans';

/**
 * Fields never written to logs as they are: credentials, tokens, and the personal identifiers
 * audiences are made of (recipient ids, ECIDs, declared ids).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  '*.password',
  '*.client_secret',
  '*.clientSecret',
  '*.access_token',
  '*.accessToken',
  '*.token',
  '*.masterKey',
  '*.recipientId',
  '*.recipientIds',
  '*.ecid',
  '*.ids',
  '*.added',
  '*.removed',
  '*.xcId',
];

export function loggerOptions(service: string, level: string): LoggerOptions {
  return {
    name: service,
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    // trace_id and span_id of the active span, so a log line leads to its trace (tracing on only).
    ...(isTracingEnabled() ? { mixin: traceLogFields } : {}),
  };
}

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino(loggerOptions(service, level));
}
