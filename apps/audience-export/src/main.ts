import 'reflect-metadata';
import { DataSourceCopiesModule, KnownOrgsModule, runService } from '@audience-hub/platform';
import { AuthModule } from '@audience-hub/auth';
import { audienceExportService } from './service';
import { audienceExportConfigSchema } from './config';
import { ListsModule } from './lists/lists.module';
import { SharedAudiencesModule } from './shared-audiences/shared-audiences.module';
import { UpdatesModule } from './updates/updates.module';

runService(audienceExportService, {
  imports: [AuthModule, ListsModule, KnownOrgsModule.forRoot({ table: 'known_orgs', createdAtColumn: 'created_at', alsoKnownFrom: 'data_sources' }), DataSourceCopiesModule, SharedAudiencesModule, UpdatesModule],
  configSchema: audienceExportConfigSchema,
});
