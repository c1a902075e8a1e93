/**
 * audience-hub's producers name each event's type in a `ce_type` header (the CloudEvents Kafka
 * binding's name), so a consumer passes by types it does not handle without parsing their JSON.
 */
export const EVENT_TYPE_HEADER = 'ce_type';

/**
 * With tracing on, the W3C trace context of the producer's send span (OpenTelemetry's kafkajs
 * instrumentation sets it): consumers continue that trace, else the envelope's `traceparent`.
 */
export const TRACE_CONTEXT_HEADER = 'traceparent';

/** What the dead-letter topic adds to a message's own headers. */
export const DeadLetterHeaders = {
  reason: 'dlq-reason',
  errors: 'dlq-errors',
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  consumerGroup: 'dlq-consumer-group',
  attempts: 'dlq-attempts',
} as const;
