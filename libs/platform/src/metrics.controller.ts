import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from './public';
import type { Response } from 'express';
import { metricsRegistry, refreshScrapeSamples } from '@audience-hub/observability';

@Public()
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  /** Gauges read from the broker and the database are refreshed first (see OperationalMetrics). */
  @Get()
  @ApiOperation({ summary: 'Prometheus metrics of the process, the HTTP routes, the event consumer and the outbox' })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  async metrics(@Res() response: Response): Promise<void> {
    await refreshScrapeSamples();
    response.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  }
}
