import { Global, Module } from '@nestjs/common';
import { CatalogController } from './catalog.controller';
import { CatalogEventsConsumer } from './catalog-events.consumer';
import { CatalogRepository } from './catalog.repository';

@Global()
@Module({ controllers: [CatalogEventsConsumer, CatalogController], providers: [CatalogRepository], exports: [CatalogRepository] })
export class CatalogModule {}
