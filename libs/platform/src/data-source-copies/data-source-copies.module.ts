import { Global, Module } from '@nestjs/common';
import { DataSourceCopiesRepository } from './data-source-copies.repository';
import { DataSourceEventsConsumer } from './data-source-events.consumer';

/**
 * A copy of id-reconciliation's data sources, kept from the compacted idrec.data-sources.v1 (import
 * and export need a source's id type, integration code and export controls, and may not read idrec's
 * schema). The service's schema needs a `data_sources` table with the columns the repository names.
 */
@Global()
@Module({ controllers: [DataSourceEventsConsumer], providers: [DataSourceCopiesRepository], exports: [DataSourceCopiesRepository] })
export class DataSourceCopiesModule {}
