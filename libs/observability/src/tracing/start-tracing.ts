import { tracingConfigSchema } from './tracing-config';
import { markTracingEnabled } from './spans';

/**
 * Each service's first import calls this, before anything it instruments (http, express, pg,
 * kafkajs) is required. With OTEL_TRACES_EXPORTER unset or `none` it returns at once and the
 * SDK is never loaded; an invalid variable is left for the service's configuration check, which
 * names it and refuses to start.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): void {
  const parsed = tracingConfigSchema.safeParse(env);
  if (!parsed.success || parsed.data.OTEL_TRACES_EXPORTER === 'none') return;
  // Required here, not imported at the top: the SDK and instrumentations load only when on.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { registerTracerProvider } = require('./tracer-provider') as typeof import('./tracer-provider');
  const provider = registerTracerProvider(service, parsed.data);
  markTracingEnabled(() => provider.forceFlush());
}
