import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { FilesController } from './files.controller';
import { FilesRepository } from './files.repository';
import { InboxWatcher } from './inbox-watcher';
import { UploadTimeout } from './upload-timeout';
import { ImportFileUseCase } from './usecases/import-file.usecase';

@Module({ imports: [ImportsModule], controllers: [FilesController], providers: [FilesRepository, ImportFileUseCase, InboxWatcher, UploadTimeout] })
export class FilesModule {}
