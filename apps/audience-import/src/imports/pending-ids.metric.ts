import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { importPendingIds, sampleOnScrape } from '@audience-hub/observability';
import { ImportsRepository } from './imports.repository';

/** `hub_import_pending_ids`, read from the imports' counts at each scrape. */
@Injectable()
export class PendingIdsMetric implements OnApplicationBootstrap, OnModuleDestroy {
  private unregister?: () => void;

  constructor(private readonly imports: ImportsRepository) {}

  onApplicationBootstrap(): void {
    this.unregister = sampleOnScrape('import-pending', async () => importPendingIds.set(await this.imports.pendingIds()));
  }

  onModuleDestroy(): void {
    this.unregister?.();
  }
}
