import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process, exposed at /metrics. */
export const metricsRegistry = new Registry();
let defaultsCollected = false;

export function initMetrics(service: string): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry });
}

export const eventsApplied = new Counter({
  name: 'hub_events_applied_total',
  help: 'Events whose effect committed (redeliveries excluded).',
  registers: [metricsRegistry],
});
export const eventsDeadLettered = new Counter({
  name: 'hub_events_dead_lettered_total',
  help: 'Events sent to the dead-letter topic.',
  registers: [metricsRegistry],
});
export const eventsSkipped = new Counter({
  name: 'hub_events_skipped_total',
  help: 'Events of subscribed topics that this service does not consume.',
  registers: [metricsRegistry],
});
export const outboxPublished = new Counter({
  name: 'hub_outbox_published_total',
  help: 'Events relayed from the outbox to Kafka.',
  registers: [metricsRegistry],
});
export const httpRequestDuration = new Histogram({
  name: 'hub_http_request_duration_seconds',
  help: 'HTTP request duration by route and status.',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});
