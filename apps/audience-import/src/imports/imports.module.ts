import { Module } from '@nestjs/common';
import { ImportsController } from './imports.controller';
import { ImportsRepository } from './imports.repository';
import { RunsRepository } from './runs.repository';
import { SnapshotEventsConsumer } from './snapshot-events.consumer';
import { StagingJanitor } from './staging-janitor';
import { PendingIdsMetric } from './pending-ids.metric';
import { ApplySnapshotUseCase } from './usecases/apply-snapshot.usecase';
import { CreateImportUseCase } from './usecases/create-import.usecase';
import { DryRunSnapshotUseCase } from './usecases/dry-run-snapshot.usecase';
import { GetImportUseCase } from './usecases/get-import.usecase';
import { ListImportDecisionsUseCase } from './usecases/list-import-decisions.usecase';
import { ListImportsUseCase } from './usecases/list-imports.usecase';
import { ImportEffectsRepository } from './import-effects.repository';
import { ReceivedSnapshotsRepository } from './received-snapshots.repository';
import { ReceiveSnapshotChunkUseCase } from './usecases/receive-snapshot-chunk.usecase';

@Module({
  controllers: [SnapshotEventsConsumer, ImportsController],
  providers: [
    ImportsRepository,
    RunsRepository,
    ReceivedSnapshotsRepository,
    ImportEffectsRepository,
    ApplySnapshotUseCase,
    CreateImportUseCase,
    ReceiveSnapshotChunkUseCase,
    DryRunSnapshotUseCase,
    ListImportsUseCase,
    GetImportUseCase,
    ListImportDecisionsUseCase,
    StagingJanitor,
    PendingIdsMetric,
  ],
  exports: [ImportsRepository, RunsRepository, ImportEffectsRepository, ApplySnapshotUseCase, ReceiveSnapshotChunkUseCase],
})
export class ImportsModule {}
