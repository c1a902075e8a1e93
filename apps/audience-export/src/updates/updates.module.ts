import { Module } from '@nestjs/common';
import { DataSourceCopiesModule } from '@audience-hub/platform';
import { FilesModule } from '../files/files.module';
import { IdentityClocksModule } from '../identity/identity-clocks.module';
import { ListsModule } from '../lists/lists.module';
import { SharedAudiencesModule } from '../shared-audiences/shared-audiences.module';
import { ExportedMembersRepository } from './exported-members.repository';
import { UpdateOutcomeService } from './update-outcome.service';
import { UpdateRequestsConsumer } from './update-requests.consumer';
import { UpdateRunnerService } from './update-runner.service';
import { UpdatesController } from './updates.controller';
import { UpdatesRepository } from './updates.repository';
import { DryRunUpdateUseCase } from './usecases/dry-run-update.usecase';
import { FinalizeUpdateUseCase } from './usecases/finalize-update.usecase';
import { GetUpdateUseCase } from './usecases/get-update.usecase';
import { ListUnmappedRecipientsUseCase } from './usecases/list-unmapped-recipients.usecase';
import { RequestUpdateUseCase } from './usecases/request-update.usecase';
import { UpdateSharedAudienceUseCase } from './usecases/update-shared-audience.usecase';
import { StartUpdateUseCase } from './usecases/start-update.usecase';

@Module({
  imports: [DataSourceCopiesModule, ListsModule, SharedAudiencesModule, FilesModule, IdentityClocksModule],
  controllers: [UpdatesController, UpdateRequestsConsumer],
  providers: [
    UpdatesRepository,
    ExportedMembersRepository,
    UpdateOutcomeService,
    RequestUpdateUseCase,
    StartUpdateUseCase,
    FinalizeUpdateUseCase,
    DryRunUpdateUseCase,
    UpdateSharedAudienceUseCase,
    GetUpdateUseCase,
    ListUnmappedRecipientsUseCase,
    UpdateRunnerService,
  ],
})
export class UpdatesModule {}
