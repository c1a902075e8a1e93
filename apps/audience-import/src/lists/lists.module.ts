import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { ListsController } from './lists.controller';
import { ListsRepository } from './lists.repository';

@Module({ imports: [ImportsModule], controllers: [ListsController], providers: [ListsRepository] })
export class ListsModule {}
