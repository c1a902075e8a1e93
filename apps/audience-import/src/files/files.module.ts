import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { FilesController } from './files.controller';
import { FilesRepository } from './files.repository';
import { InboxWatcher } from './inbox-watcher';
import { UploadTimeout } from './upload-timeout';
import { ImportFileUsecase } from './usecases/import-file/import-file.usecase';

@Module({ imports: [ImportsModule], controllers: [FilesController], providers: [FilesRepository, ImportFileUsecase, InboxWatcher, UploadTimeout] })
export class FilesModule {}
