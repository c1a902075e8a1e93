import { Module } from '@nestjs/common';
import { DataSourceEventsConsumer } from './data-source-events.consumer';
import { DataSourcesRepository } from './data-sources.repository';

@Module({ controllers: [DataSourceEventsConsumer], providers: [DataSourcesRepository], exports: [DataSourcesRepository] })
export class DataSourcesModule {}
