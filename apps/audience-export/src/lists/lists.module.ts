import { Module } from '@nestjs/common';
import { ListEventsConsumer } from './list-events.consumer';
import { ListsRepository } from './lists.repository';

@Module({ controllers: [ListEventsConsumer], providers: [ListsRepository], exports: [ListsRepository] })
export class ListsModule {}
