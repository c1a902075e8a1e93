import { Global, Module } from '@nestjs/common';
import { CatalogController } from './catalog.controller';
import { CatalogEventsConsumer } from './catalog-events.consumer';
import { CatalogRepository } from './catalog.repository';
import { GetXcAudienceUseCase } from './usecases/get-xc-audience.usecase';
import { ListXcAudiencesUseCase } from './usecases/list-xc-audiences.usecase';

@Global()
@Module({ controllers: [CatalogEventsConsumer, CatalogController], providers: [CatalogRepository, ListXcAudiencesUseCase, GetXcAudienceUseCase], exports: [CatalogRepository] })
export class CatalogModule {}
