import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { RecordResolutionUsecase } from './record-resolution.usecase';
import { ResolutionEventsConsumer } from './resolution-events.consumer';
import { RunCompletionWatcher } from './run-completion.watcher';

@Module({ imports: [ImportsModule], controllers: [ResolutionEventsConsumer], providers: [RecordResolutionUsecase, RunCompletionWatcher] })
export class ResolutionModule {}
