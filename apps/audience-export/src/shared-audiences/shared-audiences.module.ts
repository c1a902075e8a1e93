import { Module } from '@nestjs/common';
import { DataSourceCopiesModule } from '@audience-hub/platform';
import { DefineSharedAudienceUseCase } from './usecases/define-shared-audience.usecase';
import { GetSharedAudienceUseCase } from './usecases/get-shared-audience.usecase';
import { ListSharedAudiencesUseCase } from './usecases/list-shared-audiences.usecase';
import { SharedAudiencesController } from './shared-audiences.controller';
import { SharedAudiencesRepository } from './shared-audiences.repository';
import { SharedAudiencesService } from './shared-audiences.service';

@Module({
  imports: [DataSourceCopiesModule],
  controllers: [SharedAudiencesController],
  providers: [SharedAudiencesRepository, SharedAudiencesService, DefineSharedAudienceUseCase, ListSharedAudiencesUseCase, GetSharedAudienceUseCase],
  exports: [SharedAudiencesRepository, SharedAudiencesService],
})
export class SharedAudiencesModule {}
