import { Module } from '@nestjs/common';
import { DataSourcesModule } from '../data-sources/data-sources.module';
import { SharedAudiencesController } from './shared-audiences.controller';
import { SharedAudiencesRepository } from './shared-audiences.repository';
import { SharedAudiencesService } from './shared-audiences.service';

@Module({
  imports: [DataSourcesModule],
  controllers: [SharedAudiencesController],
  providers: [SharedAudiencesRepository, SharedAudiencesService],
  exports: [SharedAudiencesRepository, SharedAudiencesService],
})
export class SharedAudiencesModule {}
