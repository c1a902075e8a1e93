import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per process, exposed at /metrics. The metrics every service shares, and the run
 * metrics, are defined here (a service's own, like the IMS's token refusals, register on this
 * registry beside its code). Label values stay bounded (services, consumer groups, topics,
 * partitions, routes, outcomes), never a run, audience, org or recipient id. docs/operations.md
 * lists them and reads the dashboard.
 */
export const metricsRegistry = new Registry();
let defaultsCollected = false;

export function initMetrics(service: string): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry });
}

// ---- events and the outbox -------------------------------------------------------------------

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
/**
 * Observed once per committed transaction of the service's event consumer (not per event): the age
 * of its oldest event. The identity-links replicas' delay shows as their groups' lag instead.
 */
export const eventProcessingLatency = new Histogram({
  name: 'hub_event_processing_latency_seconds',
  help: "From an event's append to its topic to its effect committing, observed once per applied transaction for its oldest event.",
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [metricsRegistry],
});
export const outboxPublished = new Counter({
  name: 'hub_outbox_published_total',
  help: 'Events relayed from the outbox to Kafka.',
  registers: [metricsRegistry],
});
export const outboxBacklog = new Gauge({
  name: 'hub_outbox_backlog',
  help: "Outbox events committed and not yet relayed to Kafka (this service's schema, read at scrape).",
  registers: [metricsRegistry],
});
export const outboxOldestAge = new Gauge({
  name: 'hub_outbox_oldest_age_seconds',
  help: 'Age of the oldest outbox event not yet relayed; 0 when none waits (read at scrape).',
  registers: [metricsRegistry],
});

// ---- Kafka, read from the broker at scrape ---------------------------------------------------

export const consumerLag = new Gauge({
  name: 'hub_consumer_lag',
  help: "Events behind the topic's end per consumer group and partition: log end offset minus the group's committed offset (read from the broker at scrape).",
  labelNames: ['group', 'topic', 'partition'],
  registers: [metricsRegistry],
});
export const deadLetterDepth = new Gauge({
  name: 'hub_dead_letter_depth',
  help: 'Messages held in the dead-letter topic (log end minus log start offsets, read from the broker at scrape).',
  registers: [metricsRegistry],
});

// ---- HTTP and readiness ----------------------------------------------------------------------

export const httpRequestDuration = new Histogram({
  name: 'hub_http_request_duration_seconds',
  help: 'HTTP request duration by route and status.',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});
export const serviceReady = new Gauge({
  name: 'hub_ready',
  help: '1 when /health/ready would answer 200 (Postgres, Kafka and the consumer group), else 0 (checked at scrape).',
  registers: [metricsRegistry],
});

// ---- runs: imports and export updates --------------------------------------------------------

export type RunOutcome = 'completed' | 'failed' | 'denied';
const RUN_OUTCOMES: RunOutcome[] = ['completed', 'failed', 'denied'];
const RUN_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export const importRuns = new Counter({
  name: 'hub_import_runs_total',
  help: 'Import snapshots that ended, by outcome.',
  labelNames: ['outcome'],
  registers: [metricsRegistry],
});
export const importRunDuration = new Histogram({
  name: 'hub_import_run_duration_seconds',
  help: "From an applied snapshot's first chunk to its list change committing.",
  buckets: RUN_BUCKETS,
  registers: [metricsRegistry],
});
export const importIdsReceived = new Counter({
  name: 'hub_import_ids_received_total',
  help: 'Distinct ids of applied import snapshots.',
  registers: [metricsRegistry],
});
export const importIdsMatched = new Counter({
  name: 'hub_import_ids_matched_total',
  help: 'Ids of applied import snapshots that resolved to a recipient (the match rate is matched / received).',
  registers: [metricsRegistry],
});
export const importIdsUnmatched = new Counter({
  name: 'hub_import_ids_unmatched_total',
  help: 'Ids of applied import snapshots that resolved to no recipient (kept pending).',
  registers: [metricsRegistry],
});
export const importPendingIds = new Gauge({
  name: 'hub_import_pending_ids',
  help: "Unmatched ids that imports keep pending for late reconciliation, across the service's imports (read at scrape).",
  registers: [metricsRegistry],
});
export const exportRuns = new Counter({
  name: 'hub_export_runs_total',
  help: 'Shared-audience updates that ended, by outcome.',
  labelNames: ['outcome'],
  registers: [metricsRegistry],
});
export const exportRunDuration = new Histogram({
  name: 'hub_export_run_duration_seconds',
  help: 'From a shared-audience update being requested to its outcome committing.',
  buckets: RUN_BUCKETS,
  registers: [metricsRegistry],
});
export const exportRecipientsUnmapped = new Counter({
  name: 'hub_export_recipients_unmapped_total',
  help: "Recipients of completed updates' lists with no id for the data source (the runs' unmapped outcome).",
  registers: [metricsRegistry],
});
// Every outcome is exported from the start, at 0: rate() and increase() then see the first run.
for (const outcome of RUN_OUTCOMES) {
  importRuns.labels(outcome).inc(0);
  exportRuns.labels(outcome).inc(0);
}

/** An import snapshot that ended: counted when its outcome is written (a rolled-back attempt that is retried counts again). */
export function recordImportRun(outcome: RunOutcome, run?: { seconds: number; received: number; matched: number; unmatched: number }): void {
  importRuns.labels(outcome).inc();
  if (!run) return;
  importRunDuration.observe(run.seconds);
  importIdsReceived.inc(run.received);
  importIdsMatched.inc(run.matched);
  importIdsUnmatched.inc(run.unmatched);
}

/** A shared-audience update that ended (same caveat as recordImportRun). */
export function recordExportRun(outcome: RunOutcome, run: { seconds: number; unmapped: number }): void {
  exportRuns.labels(outcome).inc();
  exportRunDuration.observe(run.seconds);
  exportRecipientsUnmapped.inc(run.unmapped);
}

// ---- files at pickup and delivery locations (S3, SFTP, a directory) ----------------------------

export type PickupOutcome = 'applied' | 'refused' | 'failed';
export const filePickups = new Counter({
  name: 'hub_file_pickups_total',
  help: 'Files taken from pickup locations, by outcome (failed: left in place and retried at the next poll).',
  labelNames: ['outcome'],
  registers: [metricsRegistry],
});
export const fileTransportFailures = new Counter({
  name: 'hub_file_transport_failures_total',
  help: 'Operations on a file location that failed (unreachable, wrong credentials, refused), by scheme: file, s3, sftp.',
  labelNames: ['scheme'],
  registers: [metricsRegistry],
});
export const exportFileDeliveryFailures = new Counter({
  name: 'hub_export_file_delivery_failures_total',
  help: 'Failed attempts to deliver an inbound file to its location (each is retried with backoff until delivered).',
  registers: [metricsRegistry],
});
export const exportFilesUndelivered = new Gauge({
  name: 'hub_export_files_undelivered',
  help: 'Inbound files planned by updates and not delivered yet (read at scrape).',
  registers: [metricsRegistry],
});
for (const outcome of ['applied', 'refused', 'failed'] as PickupOutcome[]) filePickups.labels(outcome).inc(0);
for (const scheme of ['file', 's3', 'sftp']) fileTransportFailures.labels(scheme).inc(0);

// ---- values read at scrape -------------------------------------------------------------------

type Sampler = () => Promise<void>;
const samplers = new Map<string, Sampler>();
let sampling: Promise<void> | undefined;

export const scrapeSampleFailures = new Counter({
  name: 'hub_metrics_sample_failures_total',
  help: 'Scrape-time reads (broker offsets, outbox, readiness) that failed or timed out; their gauges keep the last value read.',
  labelNames: ['sampler'],
  registers: [metricsRegistry],
});

/**
 * Registers a read that refreshes gauges before each scrape (broker offsets, table sizes): nothing
 * runs while no one scrapes. Returns the function that removes it.
 */
export function sampleOnScrape(name: string, sampler: Sampler): () => void {
  samplers.set(name, sampler);
  scrapeSampleFailures.labels(name).inc(0);
  return () => {
    if (samplers.get(name) === sampler) samplers.delete(name);
  };
}

/**
 * Runs every registered sampler at once, each bounded by `timeoutMs`; a failure or a timeout keeps
 * that sampler's last values and is counted. Concurrent scrapes share one round. Resolves when the
 * round ends or after `waitMs`, whichever is first: a slow broker or database then makes a scrape
 * answer the previous values, not time out (the round goes on, and the next scrape reads it).
 */
export function refreshScrapeSamples({ waitMs = 500, timeoutMs = 3_000 } = {}): Promise<void> {
  sampling ??= Promise.all([...samplers].map(([name, sampler]) => runSampler(name, sampler, timeoutMs))).then(() => {
    sampling = undefined;
  });
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([sampling, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]).finally(() => clearTimeout(timer));
}

async function runSampler(name: string, sampler: Sampler, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sampler(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} timed out`)), timeoutMs);
      }),
    ]);
  } catch {
    scrapeSampleFailures.labels(name).inc();
  } finally {
    clearTimeout(timer);
  }
}
