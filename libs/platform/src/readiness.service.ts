import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { query } from '@audience-hub/persistence';
import { checkReadiness, type ReadinessReport } from '@audience-hub/observability';
import { KAFKA } from './tokens';
import { ServiceLifecycle } from './service-lifecycle';

/** Ready to take work: Postgres answers, a Kafka broker answers, the event consumer joined its group. /health/ready and `hub_ready` both ask here. */
@Injectable()
export class ReadinessService implements OnModuleDestroy {
  private admin?: Admin;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly lifecycle: ServiceLifecycle,
  ) {}

  check(): Promise<ReadinessReport> {
    return checkReadiness({
      postgres: async () => {
        await query(this.dataSource, 'SELECT 1');
      },
      kafka: async () => {
        this.admin ??= this.kafka.admin();
        await this.admin.connect();
        await this.admin.describeCluster();
      },
      consumer: async () => {
        if (!this.lifecycle.consumer?.isPositioned()) throw new Error('event consumer has not joined its group yet');
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
