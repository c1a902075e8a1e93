import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { FilesController } from './files.controller';
import { FilesRepository } from './files.repository';
import { InboxWatcher } from './inbox-watcher';
import { ImportFileUsecase } from './usecases/import-file/import-file.usecase';

@Module({ imports: [ImportsModule], controllers: [FilesController], providers: [FilesRepository, ImportFileUsecase, InboxWatcher] })
export class FilesModule {}
