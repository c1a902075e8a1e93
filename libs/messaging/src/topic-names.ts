/**
 * Contract topic names are logical (`campaign.lists.v1`); on the broker they may carry a prefix
 * (KAFKA_TOPIC_PREFIX, e.g. `staging.`), so several environments, or concurrent test runs, share
 * one cluster without seeing each other's events. Code always speaks logical names; only what
 * talks to the broker maps them.
 */
export function topicPrefix(): string {
  return process.env.KAFKA_TOPIC_PREFIX ?? '';
}

export function physicalTopic(logical: string): string {
  return `${topicPrefix()}${logical}`;
}

export function logicalTopic(physical: string): string {
  const prefix = topicPrefix();
  return prefix && physical.startsWith(prefix) ? physical.slice(prefix.length) : physical;
}
