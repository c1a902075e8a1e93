import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ReadinessSchema } from '@audience-hub/contracts';
import { ApiRoute, responseDto } from './openapi/api-route';
import { Public } from './public';
import type { Response } from 'express';
import { ReadinessService } from './readiness.service';

const LiveSchema = z.object({ status: z.literal('live') }).meta({ title: 'Live' });
@Public()
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** The process is alive: no dependency is consulted. */
  @Get('live')
  @ApiRoute({ summary: 'The process is alive: no dependency is consulted', public: true, answer: LiveSchema })
  @HttpCode(200)
  live(): { status: 'live' } {
    return { status: 'live' };
  }

  /** Ready to take work: Postgres answers, a Kafka broker answers, the event consumer joined its group. */
  @Get('ready')
  @ApiRoute({ summary: 'Ready to take work: Postgres answers, a Kafka broker answers, the event consumer joined its group', public: true, answer: ReadinessSchema })
  @ApiResponse({ status: 503, description: 'Not ready: the failing checks say why', type: responseDto(ReadinessSchema) })
  async ready(@Res() response: Response): Promise<void> {
    const report = await this.readiness.check();
    response.status(report.status === 'ready' ? 200 : 503).json(report);
  }
}
