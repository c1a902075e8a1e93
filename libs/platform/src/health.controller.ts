import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from './public';
import type { Response } from 'express';
import { ReadinessService } from './readiness.service';

@Public()
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** The process is alive: no dependency is consulted. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'live' } {
    return { status: 'live' };
  }

  /** Ready to take work: Postgres answers, a Kafka broker answers, the event consumer joined its group. */
  @Get('ready')
  async ready(@Res() response: Response): Promise<void> {
    const report = await this.readiness.check();
    response.status(report.status === 'ready' ? 200 : 503).json(report);
  }
}
