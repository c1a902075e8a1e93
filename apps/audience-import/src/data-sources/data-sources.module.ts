import { Global, Module } from '@nestjs/common';
import { DataSourceEventsConsumer } from './data-source-events.consumer';
import { DataSourcesRepository } from './data-sources.repository';

@Global()
@Module({ controllers: [DataSourceEventsConsumer], providers: [DataSourcesRepository], exports: [DataSourcesRepository] })
export class DataSourcesModule {}
