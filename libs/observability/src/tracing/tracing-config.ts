import { z } from 'zod';

/**
 * The tracing variables every service reads, by their OpenTelemetry names. Tracing is off unless
 * OTEL_TRACES_EXPORTER is `otlp`: off, the SDK is never loaded.
 */
export const tracingConfigSchema = z.object({
  /** `otlp` exports spans over OTLP/HTTP; `none` (the default) loads no tracing code at all. */
  OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp']).default('none'),
  /** The collector's base URL; spans go to `<endpoint>/v1/traces`. Default http://localhost:4318. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
  /** The `service.name` of the spans; default `audience-hub-<service>`. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Share of new traces recorded (0..1); a trace begun upstream keeps its caller's decision. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  /** How long finished spans wait to be sent in one batch (ms). */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(1).default(5_000),
});

export type TracingConfig = z.infer<typeof tracingConfigSchema>;
