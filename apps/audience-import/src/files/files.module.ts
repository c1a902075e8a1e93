import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { FilesController } from './files.controller';
import { FilesRepository } from './files.repository';
import { InboxWatcher } from './inbox-watcher';
import { PickedUpFilesRepository } from './picked-up-files.repository';
import { PickupPoller } from './pickup/pickup-poller';
import { UploadTimeout } from './upload-timeout';
import { ImportFileUsecase } from './usecases/import-file/import-file.usecase';
import { PickUpFileUsecase } from './usecases/pick-up-file/pick-up-file.usecase';

@Module({ imports: [ImportsModule], controllers: [FilesController], providers: [FilesRepository, ImportFileUsecase, InboxWatcher, UploadTimeout, PickedUpFilesRepository, PickUpFileUsecase, PickupPoller] })
export class FilesModule {}
