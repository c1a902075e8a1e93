import { Module } from '@nestjs/common';
import { DataSourceCopiesModule } from '@audience-hub/platform';
import { FilesModule } from '../files/files.module';
import { ListsModule } from '../lists/lists.module';
import { SharedAudiencesModule } from '../shared-audiences/shared-audiences.module';
import { ExportedMembersRepository } from './exported-members.repository';
import { ResolutionEventsConsumer } from './resolution-events.consumer';
import { UpdateOutcomeService } from './update-outcome.service';
import { UpdateRequestsConsumer } from './update-requests.consumer';
import { UpdateRunnerService } from './update-runner.service';
import { UpdatesController } from './updates.controller';
import { UpdatesRepository } from './updates.repository';
import { FinalizeUpdateUsecase } from './usecases/finalize-update.usecase';
import { RecordResolutionUsecase } from './usecases/record-resolution.usecase';
import { RequestUpdateUsecase } from './usecases/request-update.usecase';
import { StartUpdateUsecase } from './usecases/start-update.usecase';

@Module({
  imports: [DataSourceCopiesModule, ListsModule, SharedAudiencesModule, FilesModule],
  controllers: [UpdatesController, UpdateRequestsConsumer, ResolutionEventsConsumer],
  providers: [
    UpdatesRepository,
    ExportedMembersRepository,
    UpdateOutcomeService,
    RequestUpdateUsecase,
    StartUpdateUsecase,
    RecordResolutionUsecase,
    FinalizeUpdateUsecase,
    UpdateRunnerService,
  ],
})
export class UpdatesModule {}
