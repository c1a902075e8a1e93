import { Module } from '@nestjs/common';
import { ImportsController } from './imports.controller';
import { ImportsRepository } from './imports.repository';
import { RunsRepository } from './runs.repository';
import { SnapshotEventsConsumer } from './snapshot-events.consumer';
import { StagingJanitor } from './staging-janitor';
import { PendingIdsMetric } from './pending-ids.metric';
import { ApplySnapshotUsecase } from './usecases/apply-snapshot/apply-snapshot.usecase';
import { CreateImportUsecase } from './usecases/create-import/create-import.usecase';
import { ReceiveSnapshotChunkUsecase } from './usecases/receive-snapshot-chunk/receive-snapshot-chunk.usecase';

@Module({
  controllers: [SnapshotEventsConsumer, ImportsController],
  providers: [ImportsRepository, RunsRepository, ApplySnapshotUsecase, CreateImportUsecase, ReceiveSnapshotChunkUsecase, StagingJanitor, PendingIdsMetric],
  exports: [ImportsRepository, RunsRepository, ApplySnapshotUsecase, ReceiveSnapshotChunkUsecase],
})
export class ImportsModule {}
