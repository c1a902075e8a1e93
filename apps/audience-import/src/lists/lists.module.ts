import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { ListsController } from './lists.controller';
import { ListsRepository } from './lists.repository';
import { ListListMembersUseCase } from './usecases/list-list-members.usecase';

@Module({ imports: [ImportsModule], controllers: [ListsController], providers: [ListsRepository, ListListMembersUseCase] })
export class ListsModule {}
