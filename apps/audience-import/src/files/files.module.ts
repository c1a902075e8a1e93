import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { FilesController } from './files.controller';
import { FilesRepository } from './files.repository';
import { InboxWatcher } from './inbox-watcher';
import { PickedUpFilesRepository } from './picked-up-files.repository';
import { PickupPoller } from './pickup/pickup-poller';
import { UploadTimeout } from './upload-timeout';
import { GetFileReportUseCase } from './usecases/get-file-report.usecase';
import { ImportFileUseCase } from './usecases/import-file.usecase';
import { PickUpFileUseCase } from './usecases/pick-up-file.usecase';

@Module({
  imports: [ImportsModule],
  controllers: [FilesController],
  providers: [FilesRepository, ImportFileUseCase, GetFileReportUseCase, InboxWatcher, UploadTimeout, PickedUpFilesRepository, PickUpFileUseCase, PickupPoller],
})
export class FilesModule {}
