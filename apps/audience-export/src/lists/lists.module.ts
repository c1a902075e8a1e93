import { Module } from '@nestjs/common';
import { ListEventsConsumer } from './list-events.consumer';
import { ListsRepository } from './lists.repository';
import { ListsController } from './lists.controller';

@Module({ controllers: [ListEventsConsumer, ListsController], providers: [ListsRepository], exports: [ListsRepository] })
export class ListsModule {}
