import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { readConsumerLag, readDeadLetterDepth, readOutboxBacklog } from '@audience-hub/messaging';
import { consumerLag, deadLetterDepth, outboxBacklog, outboxOldestAge, sampleOnScrape, serviceReady } from '@audience-hub/observability';
import { KAFKA } from './tokens';
import { ReadinessService } from './readiness.service';

/**
 * The gauges an operator reads at a glance, refreshed at each scrape (nothing runs while no one
 * scrapes): consumer lag of the groups this process consumes with and the dead-letter topic's depth
 * (from the broker, through one admin client), the outbox backlog (from its partial index), readiness.
 */
@Injectable()
export class OperationalMetrics implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly groups = new Set<string>();
  private admin?: Admin;
  private readonly unregister: Array<() => void> = [];

  constructor(
    private readonly dataSource: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly readiness: ReadinessService,
  ) {}

  /** A consumer group of this service whose lag is exported (each consumer names its own). */
  watchConsumerGroup(group: string): void {
    this.groups.add(group);
  }

  onApplicationBootstrap(): void {
    this.unregister.push(
      sampleOnScrape('consumer-lag', async () => {
        const lags = await readConsumerLag(await this.connectedAdmin(), [...this.groups]);
        // Replaced as a whole: partitions a group no longer commits on disappear.
        consumerLag.reset();
        for (const { group, topic, partition, lag } of lags) consumerLag.labels(group, topic, String(partition)).set(lag);
      }),
      sampleOnScrape('dead-letter', async () => deadLetterDepth.set(await readDeadLetterDepth(await this.connectedAdmin()))),
      sampleOnScrape('outbox', async () => {
        const backlog = await readOutboxBacklog(this.dataSource);
        outboxBacklog.set(backlog.unsent);
        outboxOldestAge.set(backlog.oldestAgeSeconds);
      }),
      sampleOnScrape('readiness', async () => serviceReady.set((await this.readiness.check()).status === 'ready' ? 1 : 0)),
    );
  }

  async onModuleDestroy(): Promise<void> {
    for (const unregister of this.unregister) unregister();
    await this.admin?.disconnect().catch(() => undefined);
  }

  private async connectedAdmin(): Promise<Admin> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect(); // a no-op once connected
    return this.admin;
  }
}
