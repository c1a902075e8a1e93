export { tracingConfigSchema, type TracingConfig } from './tracing-config';
export { startTracing } from './start-tracing';
export { activeTraceparent, contextOfTraceparent, flushTracing, inSpan, isTracingEnabled, traceLogFields, withTraceparent, type SpanOptions } from './spans';
