import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Link } from '@opentelemetry/api';

// Helpers over @opentelemetry/api only (a few kB, no SDK): with tracing off they do nothing and
// cost one branch, so the hot paths (ingest, import) call them unconditionally.

let enabled = false;
let flush = async (): Promise<void> => {};

/** Set by startTracing once the SDK is registered. */
export function markTracingEnabled(flushSpans: () => Promise<void>): void {
  enabled = true;
  flush = flushSpans;
}

/** Sends the spans still buffered: the last step of a shutdown. */
export function flushTracing(): Promise<void> {
  return flush();
}

export function isTracingEnabled(): boolean {
  return enabled;
}

const tracer = () => trace.getTracer('audience-hub');

/** The W3C traceparent of the active span, or undefined when none is (or tracing is off). */
export function activeTraceparent(): string | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a W3C traceparent names, as a remote parent; the root context if it names none. */
export function contextOfTraceparent(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/** Runs `work` in the context of `traceparent` (nothing to do with tracing off). */
export function withTraceparent<T>(traceparent: string | undefined, work: () => T): T {
  if (!enabled || !traceparent) return work();
  return context.with(contextOfTraceparent(traceparent), work);
}

export interface SpanOptions {
  kind?: 'internal' | 'consumer' | 'producer';
  /**
   * The traceparents this work continues (the events it applies): the span is a child of the
   * first and links the others. Given (even empty), the span never joins the ambient context.
   * Left out, the span is a child of the active span.
   */
  traceparents?: ReadonlyArray<string | undefined>;
  attributes?: Attributes;
}

/** At most this many links per span: a batch of 5,000 events names the first ones only. */
const MAX_LINKS = 32;

/** Runs `work` in a new span, ended (and marked failed on a throw) when it settles. */
export async function inSpan<T>(name: string, options: SpanOptions, work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  let parent = context.active();
  const links: Link[] = [];
  if (options.traceparents) {
    const distinct = [...new Set(options.traceparents.filter((value): value is string => !!value))];
    parent = contextOfTraceparent(distinct[0]);
    for (const traceparent of distinct.slice(1, MAX_LINKS + 1)) {
      const linked = trace.getSpanContext(contextOfTraceparent(traceparent));
      if (linked) links.push({ context: linked });
    }
  }
  const kind = options.kind === 'consumer' ? SpanKind.CONSUMER : options.kind === 'producer' ? SpanKind.PRODUCER : SpanKind.INTERNAL;
  const span = tracer().startSpan(name, { kind, links, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: String((error as Error)?.message ?? error) });
    throw error;
  } finally {
    span.end();
  }
}

/** Fields every log line gets while a span is active: logs and traces join on them. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
