import { Module } from '@nestjs/common';
import { ListEventsConsumer } from './list-events.consumer';
import { ListsRepository } from './lists.repository';
import { ListsController } from './lists.controller';
import { GetListSummaryUseCase } from './usecases/get-list-summary.usecase';

@Module({ controllers: [ListEventsConsumer, ListsController], providers: [ListsRepository, GetListSummaryUseCase], exports: [ListsRepository] })
export class ListsModule {}
