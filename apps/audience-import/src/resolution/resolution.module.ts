import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { RecordResolutionUsecase } from './record-resolution.usecase';
import { ResolutionEventsConsumer } from './resolution-events.consumer';

@Module({ imports: [ImportsModule], controllers: [ResolutionEventsConsumer], providers: [RecordResolutionUsecase] })
export class ResolutionModule {}
