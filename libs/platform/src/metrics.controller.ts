import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from './public';
import type { Response } from 'express';
import { metricsRegistry, refreshScrapeSamples } from '@audience-hub/observability';

@Public()
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  /** Gauges read from the broker and the database are refreshed first (see OperationalMetrics). */
  @Get()
  async metrics(@Res() response: Response): Promise<void> {
    await refreshScrapeSamples();
    response.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  }
}
