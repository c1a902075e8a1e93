import { Module } from '@nestjs/common';
import { SharedAudiencesModule } from '../shared-audiences/shared-audiences.module';
import { ExportedMembersRepository } from '../updates/exported-members.repository';
import { ExportFilesRepository } from './export-files.repository';
import { ExportFilesService } from './export-files.service';

@Module({
  imports: [SharedAudiencesModule],
  providers: [ExportFilesRepository, ExportFilesService, ExportedMembersRepository],
  exports: [ExportFilesRepository, ExportFilesService],
})
export class FilesModule {}
