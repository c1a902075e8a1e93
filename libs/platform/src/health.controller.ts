import { Controller, Get, HttpCode, Inject, OnModuleDestroy, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from './public';
import type { Response } from 'express';
import type { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { checkReadiness } from '@audience-hub/observability';
import { KAFKA } from './tokens';
import { ServiceLifecycle } from './service-lifecycle';

@Public()
@ApiExcludeController()
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private admin?: Admin;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly lifecycle: ServiceLifecycle,
  ) {}

  /** The process is alive: no dependency is consulted. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'live' } {
    return { status: 'live' };
  }

  /** Ready to take work: Postgres answers, a Kafka broker answers, the event consumer joined its group. */
  @Get('ready')
  async ready(@Res() response: Response): Promise<void> {
    const report = await checkReadiness({
      postgres: async () => {
        await this.dataSource.query('SELECT 1');
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
    response.status(report.status === 'ready' ? 200 : 503).json(report);
  }

  async onModuleDestroy(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
